/**
 * A fresh state folder per tether process a test starts (TETHER_STATE_DIR), so tests never restore each
 * other's stored sessions; removed when the test process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new empty state folder, deleted at exit. */
export function freshStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tether-state-'));
  made.push(dir);
  return dir;
}
