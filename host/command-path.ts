/**
 * Whether a command can run here: a path must be an executable file; a bare name must be found on PATH
 * (as execvp would look it up). The session list marks agents that cannot run, with their install hint.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    // Missing, not executable, or unreadable: it cannot run, which is the answer.
    return false;
  }
}

/** True when `file` names an executable: a path that is one, or a name found on `pathVar`. */
export function commandInstalled(file: string, pathVar: string | undefined, cwd: string): boolean {
  if (file.includes('/')) return executable(isAbsolute(file) ? file : join(cwd, file));
  return (pathVar ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, file)));
}
