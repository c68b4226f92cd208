/** Every pure fuzz property of the protocol and the config file, in one list for the runners. */
import type { FuzzProperty } from './fuzz-property.js';
import { frameProperties } from './frame-properties.js';
import { signalingProperties } from './signaling-properties.js';
import { messageProperties } from './message-properties.js';
import { syncMessageProperties } from './sync-message-properties.js';
import { sessionUrlProperties } from './session-url-properties.js';
import { authProperties } from './auth-properties.js';
import { configProperties } from './config-properties.js';

/** Frames, signaling, messages and intents, sync messages, session links, authentication, the config file. */
export const protocolProperties: readonly FuzzProperty[] = [
  ...frameProperties,
  ...signalingProperties,
  ...messageProperties,
  ...syncMessageProperties,
  ...sessionUrlProperties,
  ...authProperties,
  ...configProperties,
];
