/**
 * A readable name for this device, derived from the user agent ("Chrome on Android", "Safari on
 * iPhone"), shown to the host and to every other device in the session.
 */

/** Longest device name the protocol accepts (ClientHelloSchema). */
export const MAX_DEVICE_NAME = 64;

const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/EdgA?\/|EdgiOS\//, 'Edge'],
  [/OPR\/|OPiOS\//, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Version\/[\d.]+.*Safari\//, 'Safari'],
];

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/iPhone|iPod/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Macintosh|Mac OS X/, 'macOS'],
  [/Linux|X11/, 'Linux'],
];

/**
 * Names a device from its user agent. `maxTouchPoints` tells an iPad (which claims to be a Mac)
 * from a Mac.
 */
export function deviceNameFromUserAgent(userAgent: string, maxTouchPoints = 0): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'Browser';
  let system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
  if (system === 'macOS' && maxTouchPoints > 1) system = 'iPad';
  const name = system ? `${browser} on ${system}` : browser;
  return name.slice(0, MAX_DEVICE_NAME);
}

/** This browser's name. */
export function currentDeviceName(): string {
  return deviceNameFromUserAgent(navigator.userAgent, navigator.maxTouchPoints);
}
