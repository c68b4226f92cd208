/**
 * A short two-note chime for a page open in the background (the phone's screen off with the browser in
 * front, another tab): the sound half of "sound and vibration where allowed". Browsers play audio only
 * once the user has interacted with the page, so the audio context is unlocked on the user's first tap
 * or key when this device wants alerts (and when they choose alerts in the bell); before that, a chime
 * is silently skipped.
 */
import { wantsAlerts } from './device-notifications.js';

let context: AudioContext | null = null;

/** Creates or resumes the audio context; call from a user gesture (a tap, a key, a checkbox). */
export function unlockChime(): void {
  if (typeof AudioContext === 'undefined') return;
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume().catch((err: unknown) => console.warn('tether: audio stays locked', err));
}

/** Plays the chime if the page may play sound; never throws. */
export function chime(): void {
  if (!context || context.state !== 'running') return;
  const start = context.currentTime;
  // Two soft sine notes (E5, A5) with quick fades: noticeable, not alarming.
  for (const [i, frequency] of [659.25, 880].entries()) {
    const at = start + i * 0.16;
    const note = context.createOscillator();
    const gain = context.createGain();
    note.type = 'sine';
    note.frequency.value = frequency;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.001, at + 0.3);
    note.connect(gain).connect(context.destination);
    note.start(at);
    note.stop(at + 0.32);
  }
}

/**
 * The first tap or key anywhere on the page unlocks sound for later alerts, on a device that asked for
 * some: creating an audio context blocks the page for 30–300 ms (the browser starts its audio service),
 * which a device wanting no alerts should never pay. On the key's release, not its press: the keystroke
 * is on its way by then (the press already counts as the gesture browsers ask for).
 */
function unlockIfWanted(): void {
  if (wantsAlerts()) unlockChime();
}

if (typeof document !== 'undefined') {
  for (const type of ['pointerdown', 'keyup'] as const) document.addEventListener(type, unlockIfWanted, { once: true, capture: true });
}
