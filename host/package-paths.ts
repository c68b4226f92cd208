/** Locates files shipped with tether (the built browser client) from wherever the code runs. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding tether's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tether') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the tether package root');
    dir = parent;
  }
}

/** The built browser client (made by `npm run build`). */
export function clientDir(): string {
  return join(packageRoot(), 'dist', 'client', 'web');
}
