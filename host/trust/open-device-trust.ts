/** Opens the user's device trust for a host process: the trust store in the state folder, the audit log, confirmation. */
import type { Logger } from 'pino';
import { join } from 'node:path';
import type { RemoteControlCommand } from '../cli-args.js';
import { Authenticator } from './authenticator.js';
import { FileTrustStore } from './file-trust-store.js';
import { AuditLog } from './audit-log.js';
import { DeviceTrust } from './device-trust.js';

/** The trust store's file in a state folder. */
export function trustStorePath(stateDir: string): string {
  return join(stateDir, 'trust.json');
}

/** Device trust as `cmd` asks for it; throws BAD_CONFIG for an unreadable store or audit log. */
export function openDeviceTrust(cmd: Pick<RemoteControlCommand, 'stateDir' | 'confirmDevices' | 'audit'>, log: Logger): DeviceTrust {
  const authenticator = new Authenticator(new FileTrustStore(trustStorePath(cmd.stateDir)));
  authenticator.confirmNewDevices = cmd.confirmDevices;
  const audit = cmd.audit ? new AuditLog(cmd.audit.path, cmd.audit.prompts) : null;
  return new DeviceTrust(authenticator, audit, log);
}
