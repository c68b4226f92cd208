/**
 * The user's config file (presets, STUN/TURN servers) and agent presets: the common ACP agents by name,
 * plus presets from that file. A preset is a command line, a hint saying how to install it when the
 * command is missing, how to log in (the exact thing to do on the host), which of the agent's login
 * method ids an environment variable satisfies, and known refusals worth explaining (claude-agent-acp
 * under root).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../protocol/zod.js';
import { TetherError } from '../protocol/errors.js';
import { IceServersSchema } from '../protocol/ice-servers.js';
import { lazySchema } from '../protocol/lazy-schema.js';

/**
 * A refusal an agent makes under root that it does not explain over ACP: recognised by its words in the
 * failed request (`signature`), when running as root with `env` set to anything but `accepted`;
 * `advice` says what to do.
 */
export interface RootRefusal {
  env: string;
  accepted: string;
  signature: string;
  advice: string;
}

/** A named agent. */
export interface AgentPreset {
  /** The command and its arguments. */
  command: string[];
  install: string;
  /** How to log in, said when the agent needs a login (a command to run on the host, a variable to set). */
  login?: string;
  /**
   * Login method id → environment variable: ACP login methods carry ids, not variable names, so the
   * preset says which variable satisfies which method; tether authenticates with that id when it is set.
   */
  authEnv?: Readonly<Record<string, string>>;
  rootRefusal?: RootRefusal;
}

/** Built-in presets (DESIGN.md); the login facts were measured with claude-agent-acp 0.23.1 and codex-acp 0.16.0. */
export const BUILTIN_PRESETS: Readonly<Record<string, AgentPreset>> = Object.freeze({
  claude: {
    command: ['claude-agent-acp'],
    install: 'install it with: npm install -g @zed-industries/claude-agent-acp',
    login: 'run `claude-agent-acp --cli` on the host and type /login (or use "Log in with Claude" from tether); an ANTHROPIC_API_KEY in tether\'s environment works too',
    authEnv: {},
    // Measured: as root, claude-agent-acp offers permission bypass whenever IS_SANDBOX is set at all, but
    // its Claude Code CLI accepts bypass under root only with IS_SANDBOX=1 and exits otherwise, which the
    // agent reports as "Query closed before response received" (the cause shows only in its debug log).
    rootRefusal: {
      env: 'IS_SANDBOX',
      accepted: '1',
      signature: 'Query closed before response received',
      advice:
        'claude-agent-acp cannot start as root with IS_SANDBOX set to anything but 1 (its Claude Code CLI refuses permission bypass under root): set IS_SANDBOX=1 if this is a container or VM you can throw away, or unset IS_SANDBOX, or run tether as a normal user',
    },
  },
  codex: {
    command: ['codex-acp'],
    install: 'install it with: npm install -g @zed-industries/codex-acp',
    login: 'set OPENAI_API_KEY or CODEX_API_KEY in tether\'s environment and start again, or log in with ChatGPT by running `codex login` on the host (the Codex CLI: npm install -g @openai/codex)',
    authEnv: { 'codex-api-key': 'CODEX_API_KEY', 'openai-api-key': 'OPENAI_API_KEY' },
  },
  gemini: { command: ['gemini', '--acp'], install: 'install it with: npm install -g @google/gemini-cli', login: 'run `gemini` on the host once and log in, or set GEMINI_API_KEY in tether\'s environment' },
  copilot: { command: ['copilot', '--acp'], install: 'install it with: npm install -g @github/copilot', login: 'run `copilot` on the host and type /login' },
  goose: { command: ['goose', 'acp'], install: 'install Goose from https://block.github.io/goose/', login: 'run `goose configure` on the host' },
});

const PRESET_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The config file: `{ "presets": { "<name>": { "command": "<cmd> [args]" | ["cmd", "arg"], "install": "…" } },
 * "iceServers": [{ "urls": "turn:host:3478", "username": "…", "credential": "…" }] }`.
 */
export const ConfigFileSchema = lazySchema(() => z.strictObject({
  /** STUN/TURN servers in the browser's RTCIceServer shape; the host uses them and hands them to devices. */
  iceServers: z.optional(IceServersSchema),
  presets: z.optional(
    z.record(
      z.string(),
      z.strictObject({
        command: z
          .union([
            z.string().check(z.minLength(1), z.maxLength(1000)),
            z.array(z.string().check(z.minLength(1), z.maxLength(1000))).check(z.minLength(1), z.maxLength(64)),
          ])
          // White space alone would become the program "" (a string command is split on white space). zod runs
          // this even after the shape failed (an empty array), so it checks only what is there.
          .check(
            z.refine((c) => {
              const program: unknown = typeof c === 'string' ? c : Array.isArray(c) ? c[0] : undefined;
              return typeof program !== 'string' || program.trim() !== '';
            }, 'must name a program'),
          ),
        install: z.optional(z.string().check(z.maxLength(300))),
        login: z.optional(z.string().check(z.maxLength(500))),
        authEnv: z.optional(z.record(z.string().check(z.minLength(1), z.maxLength(200)), z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')))),
      }),
    ),
  ),
}));

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
    presets[name] = {
      command,
      install: p.install ?? `check the command in ${path}`,
      ...(p.login !== undefined ? { login: p.login } : {}),
      ...(p.authEnv !== undefined ? { authEnv: p.authEnv } : {}),
    };
  }
  return presets;
}
