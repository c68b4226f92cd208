/**
 * The audit log (`--audit FILE`): one JSON line per action — pairings, joins, leaves, role changes,
 * revocations, prompts and answers to the agent's questions (in full or as a SHA-256), permission
 * answers, settings, logins, stops, session starts and ends — each with the time, the session and the device's paired identity. Lines are appended (O_APPEND, mode
 * 0600) and written synchronously before the action is applied, so a crash never loses an applied action.
 */
import { closeSync, fstatSync, openSync, writeSync, fchmodSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { TetherError } from '../../protocol/errors.js';
import type { Actor, IntentHook } from '../core/session-core.js';

/** Schema version carried by every line. */
export const AUDIT_SCHEMA_VERSION = 1;
/** Longest text kept from a field a device chose (names, free text other than prompts). */
const MAX_FIELD_CHARS = 500;

/** Who did something, as the host records the device (never as the device says). */
export interface AuditDevice {
  deviceId: string;
  name: string;
  kind: string;
  role: string;
}

/** The device fields of an audit line. */
export function auditDevice(actor: Pick<Actor, 'deviceId' | 'name' | 'kind' | 'role'>): AuditDevice {
  return { deviceId: actor.deviceId, name: actor.name.slice(0, MAX_FIELD_CHARS), kind: actor.kind, role: actor.role };
}

/** An append-only JSON-lines log. */
export class AuditLog {
  private fd: number | null;

  constructor(
    readonly path: string,
    /** Prompts are written as their text, or only as a SHA-256 of it. */
    readonly prompts: 'full' | 'hash',
  ) {
    try {
      this.fd = openSync(path, 'a', 0o600);
      // An existing file keeps its lines, but not a wider mode.
      if ((fstatSync(this.fd).mode & 0o077) !== 0) fchmodSync(this.fd, 0o600);
    } catch (err) {
      throw new TetherError('BAD_CONFIG', `cannot open the audit log ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Appends one line; throws AUDIT_FAILED when it cannot be written (the caller then does not act). */
  write(event: string, fields: { sessionId?: string | null; device?: AuditDevice | null } & Record<string, unknown>): void {
    if (this.fd === null) throw new TetherError('AUDIT_FAILED', 'the audit log is closed');
    const line = JSON.stringify({ v: AUDIT_SCHEMA_VERSION, time: new Date().toISOString(), event, sessionId: null, device: null, ...fields }) + '\n';
    try {
      // One write of a whole line to an O_APPEND file: lines of several processes never interleave.
      writeSync(this.fd, line);
    } catch (err) {
      throw new TetherError('AUDIT_FAILED', `${ERROR_PREFIX} ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** How a prompt's text is recorded. */
  promptFields(text: string): Record<string, string> {
    return this.prompts === 'full' ? { text } : { sha256: createHash('sha256').update(text).digest('hex') };
  }

  /** An intent hook for a session: every permitted intent but keystrokes and resizes is recorded first. */
  intentHook(sessionId: string): IntentHook {
    return (intent, actor) => {
      if (intent.type === 'input' || intent.type === 'resize') return null;
      const { id: _id, type, text, images, content, ...rest } = intent;
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rest)) fields[k] = typeof v === 'string' ? v.slice(0, MAX_FIELD_CHARS) : v;
      if (typeof text === 'string') Object.assign(fields, this.promptFields(text));
      // A question's answers are what the user typed, like a prompt: kept as the prompts are.
      if (content !== undefined) Object.assign(fields, this.prompts === 'full' ? { content } : this.promptFields(JSON.stringify(content)));
      if (Array.isArray(images)) fields.images = images.length;
      try {
        this.write(type, { sessionId, device: auditDevice(actor), ...fields });
        return null;
      } catch (err) {
        return err instanceof TetherError ? err : new TetherError('AUDIT_FAILED');
      }
    };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

const ERROR_PREFIX = 'cannot append to the audit log';
