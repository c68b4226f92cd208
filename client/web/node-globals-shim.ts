/**
 * Injected first into the browser bundle (client/build.ts): simple-peer and its stream dependencies
 * were written for Node and expect `Buffer` and `process` as globals. The npm packages stand in for them.
 */
import { Buffer } from 'buffer';
import process from 'process';

const globals = globalThis as { Buffer?: unknown; process?: unknown };
globals.Buffer ??= Buffer;
globals.process ??= process;

/** esbuild's `inject` also rewrites bare references to these names to these bindings. */
export { Buffer, process };
