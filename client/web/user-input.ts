/**
 * Only what the person at this device typed, pasted or clicked goes to the PTY. xterm.js also emits
 * its own automatic replies to terminal queries (device attributes, cursor position…) through onData;
 * every device replaying the same output would send them all again, N times and long after the
 * program asked, so replies are dropped: they are not this device's input.
 */
import type { IDisposable, Terminal } from '@xterm/xterm';

/** xterm's CoreService marks genuine input with onUserInput just before onData (xterm ≥ 5). */
interface CoreWithUserInput {
  coreService?: { onUserInput?: (listener: () => void) => IDisposable };
}

/** Calls `handler` with each piece of user input from `term`; returns a disposer. */
export function onUserInput(term: Terminal, handler: (data: string) => void): IDisposable {
  const core = (term as unknown as { _core?: CoreWithUserInput })._core;
  const userInputEvent = core?.coreService?.onUserInput;
  if (typeof userInputEvent !== 'function') {
    // A future xterm without this hook: forward everything rather than lose the user's typing.
    console.warn('tether: cannot tell typed input from terminal replies in this xterm.js version');
    return term.onData(handler);
  }
  let userInputPending = false;
  const marks = userInputEvent.call(core!.coreService, () => {
    userInputPending = true;
  });
  const data = term.onData((text) => {
    const isUserInput = userInputPending;
    userInputPending = false;
    if (isUserInput) handler(text);
  });
  // onBinary (legacy X10 mouse reports past column 95) is not forwarded: input intents carry text,
  // which the host writes as UTF-8, and those raw bytes would arrive mangled.
  return {
    dispose() {
      marks.dispose();
      data.dispose();
    },
  };
}
