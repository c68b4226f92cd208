/**
 * How a program ended, in words every view uses the same way: "exited with code 3" or "was killed by
 * SIGKILL" — a program killed by a signal is never reported as exiting with code 0 (node-pty reports
 * such an exit as code 0 plus a signal number).
 */

/** Linux signal numbers (the host is Linux or macOS; the common ones agree). */
const SIGNALS: Readonly<Record<number, string>> = Object.freeze({
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
});

/** The name of a signal given by number or name ("SIGKILL"), or null for none. */
export function signalName(signal: number | string | null | undefined): string | null {
  if (signal === null || signal === undefined || signal === 0 || signal === '') return null;
  if (typeof signal === 'string') return signal;
  return SIGNALS[signal] ?? `signal ${signal}`;
}

/** "exited with code 3" / "was killed by SIGKILL". */
export function exitWords(exitCode: number | null, signal: number | string | null | undefined): string {
  const name = signalName(signal);
  if (name) return `was killed by ${name}`;
  return exitCode === null ? 'ended' : `exited with code ${exitCode}`;
}

/** How a program ended, as a reason after "Ended: " or in a list row: "exited with code 3" / "killed by SIGKILL". */
export function exitReason(exitCode: number | null, signal: number | string | null | undefined): string {
  return exitWords(exitCode, signal).replace(/^was /, '');
}

/** The exit status a shell would report: the code, or 128 + the signal number. */
export function shellStatus(exitCode: number | null, signal: number | null): number {
  if (signal) return 128 + signal;
  return exitCode ?? 1;
}
