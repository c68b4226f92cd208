/**
 * The user's config file (presets, STUN/TURN servers) and agent presets: the common ACP agents by name,
 * plus presets from that file. A preset is a command line and a hint saying how to install it when the
 * command is missing.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { TetherError } from '../protocol/errors.js';
import { IceServersSchema } from '../protocol/ice-servers.js';

/** A named agent. */
export interface AgentPreset {
  /** The command and its arguments. */
  command: string[];
  install: string;
}

/** Built-in presets (DESIGN.md). */
export const BUILTIN_PRESETS: Readonly<Record<string, AgentPreset>> = Object.freeze({
  claude: { command: ['claude-agent-acp'], install: 'install it with: npm install -g @zed-industries/claude-agent-acp' },
  codex: { command: ['codex-acp'], install: 'install it with: npm install -g @zed-industries/codex-acp' },
  gemini: { command: ['gemini', '--acp'], install: 'install it with: npm install -g @google/gemini-cli' },
  copilot: { command: ['copilot', '--acp'], install: 'install it with: npm install -g @github/copilot' },
  goose: { command: ['goose', 'acp'], install: 'install Goose from https://block.github.io/goose/' },
});

const PRESET_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The config file: `{ "presets": { "<name>": { "command": "<cmd> [args]" | ["cmd", "arg"], "install": "…" } },
 * "iceServers": [{ "urls": "turn:host:3478", "username": "…", "credential": "…" }] }`.
 */
export const ConfigFileSchema = z.strictObject({
  /** STUN/TURN servers in the browser's RTCIceServer shape; the host uses them and hands them to devices. */
  iceServers: IceServersSchema.optional(),
  presets: z
    .record(
      z.string(),
      z.strictObject({
        command: z
          .union([z.string().min(1).max(1000), z.array(z.string().min(1).max(1000)).min(1).max(64)])
          // White space alone would become the program "" (a string command is split on white space). zod runs
          // this even after the shape failed (an empty array), so it checks only what is there.
          .refine((c) => {
            const program: unknown = typeof c === 'string' ? c : Array.isArray(c) ? c[0] : undefined;
            return typeof program !== 'string' || program.trim() !== '';
          }, 'must name a program'),
        install: z.string().max(300).optional(),
      }),
    )
    .optional(),
});

/** Where the config file is looked for when --config is not given. */
export function defaultConfigPath(env: Record<string, string | undefined>): string | null {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : null);
  return base ? join(base, 'tether', 'config.json') : null;
}

export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Reads and validates a config file ({} when it is absent and not `required`); throws BAD_CONFIG. */
export function loadConfigFile(path: string | null, required: boolean): ConfigFile {
  if (!path) return {};
  if (!existsSync(path)) {
    if (required) throw new TetherError('BAD_CONFIG', `config file not found: ${path}`);
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TetherError('BAD_CONFIG', `${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TetherError('BAD_CONFIG', `${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Reads presets from a config file; throws BAD_CONFIG with the file and the problem. */
export function loadPresets(path: string | null, required: boolean): Record<string, AgentPreset> {
  const presets: Record<string, AgentPreset> = { ...BUILTIN_PRESETS };
  for (const [name, p] of Object.entries(loadConfigFile(path, required).presets ?? {})) {
    if (!PRESET_NAME.test(name)) throw new TetherError('BAD_CONFIG', `${path}: presets.${name}: preset names are lowercase letters, digits and dashes (at most 32)`);
    const command = typeof p.command === 'string' ? p.command.trim().split(/\s+/) : p.command;
    presets[name] = { command, install: p.install ?? `check the command in ${path}` };
  }
  return presets;
}
