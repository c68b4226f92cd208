/**
 * The data-channel protocol version (host ↔ device), carried by both hellos; a mismatch closes the
 * connection with CLIENT_TOO_OLD (a page then fetches the new app and reloads) or HOST_TOO_OLD.
 * 3: presence frames (who is connected is no longer in the documents).
 */
export const PROTOCOL_VERSION = 3;

/**
 * The signaling protocol version (host and devices ↔ signal server), carried by every signaling message;
 * a mismatch is refused with CLIENT_TOO_OLD / HOST_TOO_OLD or SERVER_TOO_OLD. Versioned apart from the
 * data channel so that a signal server someone runs for you need not change when only the data channel does.
 */
export const SIGNAL_PROTOCOL_VERSION = 2;

/** The package version shown by `tether --version`. Kept in step with package.json by a unit test. */
export const TETHER_VERSION = '0.1.0';
