/**
 * The wire protocol version. Both the signaling `hello` and the data-channel `hello` carry it;
 * a mismatch closes the connection with CLIENT_TOO_OLD or HOST_TOO_OLD / SERVER_TOO_OLD.
 */
export const PROTOCOL_VERSION = 2;

/** The package version shown by `tether --version`. Kept in step with package.json by a unit test. */
export const TETHER_VERSION = '0.1.0';
