/**
 * This browser's device id: random once, then kept in localStorage so the host and the other devices
 * see one device across reloads and reconnects rather than a new one each time.
 */
import { ID_PATTERN, newId } from '../../protocol/ids.js';

const STORAGE_KEY = 'tether.deviceId';

/** Returns the stored device id, creating it on first use. */
export function loadDeviceId(storage: Storage | null = safeLocalStorage()): string {
  const stored = readItem(storage);
  if (stored !== null && ID_PATTERN.test(stored)) return stored;
  const id = newId();
  writeItem(storage, id);
  return id;
}

/** localStorage itself throws in some privacy modes and sandboxed frames. */
function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch (err) {
    console.warn('tether: localStorage unavailable; this tab gets a fresh device id', err);
    return null;
  }
}

function readItem(storage: Storage | null): string | null {
  if (!storage) return null;
  try {
    return storage.getItem(STORAGE_KEY);
  } catch (err) {
    console.warn('tether: cannot read the device id', err);
    return null;
  }
}

function writeItem(storage: Storage | null, id: string): void {
  if (!storage) return;
  try {
    storage.setItem(STORAGE_KEY, id);
  } catch (err) {
    // Quota or privacy mode: the id still works for this page, it just won't survive a reload.
    console.warn('tether: cannot store the device id', err);
  }
}
