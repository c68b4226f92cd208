#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=1 --no-sparkplug --expose-gc
// Entry point of the `tether` command; the CLI is dist/cli/tether.cjs, bundled from the compiled code in
// dist/host/ (built by `npm install` / `npm run build`), run with a V8 code cache (dist/host/code-cache.js).
// The Node flags above keep a host small (issue #14, measured: ~15 MB less RSS with one device): V8's young
// generation capped at 1 MiB per semi-space (a host's garbage is short-lived frames and strings) and one V8
// helper thread instead of four; and no baseline (Sparkplug) code: a host's hot paths get optimized code anyway
// and the rest stays bytecode (measured alternating: −1.8 to −2.5 MiB with one device, echo, burst,
// throughput and startup unchanged). `node bin/tether.js` runs without them; bench/host-process.ts passes them too.
import { fileURLToPath } from 'node:url';
import { runBundle } from '../dist/host/code-cache.js';

runBundle(fileURLToPath(new URL('../dist/cli/tether.cjs', import.meta.url)));
