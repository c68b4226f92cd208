/**
 * The wire protocol version. Both the signaling `hello` and the data-channel `hello` carry it; a mismatch
 * closes the connection with CLIENT_TOO_OLD (a page then fetches the new app and reloads) or HOST_TOO_OLD
 * / SERVER_TOO_OLD. One version for both: a signal server serves the pages, so a host newer than the
 * pages it would send devices to must hear SERVER_TOO_OLD when it registers, not strand them.
 * 3: presence frames (who is connected is no longer in the documents).
 * 4: applied frames (a device says how much it applied; the host sends a busy one the newest state).
 * 5: deflated frames (a device's hello may ask for them; the host then deflates its large frames).
 */
export const PROTOCOL_VERSION = 5;

/** The package version shown by `tether --version`. Kept in step with package.json by a unit test. */
export const TETHER_VERSION = '0.1.0';
