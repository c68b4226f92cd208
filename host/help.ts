/** The text of `tether --help` and of each command's `--help`. README's "Command line" section mirrors it. */

/** Overview of every command. */
export const MAIN_HELP = `tether — work on a live coding-agent or terminal session from your phone or another browser, peer to peer.

Usage:
  tether remote-control [name] [options] [-- <command> [args...]]
  tether [--remote-control [name] | --rc [name]] [options] [-- <command> [args...]]
  tether signal [options]
  tether attach <session url>
  tether devices [list|rename|role|revoke|revoke-all|allow|deny]
  tether sessions [list | prune [ids...] [--older-than D | --all]]
  tether --help | --version

Commands:
  remote-control   Server mode: run an agent or program and share it; print its link and QR code.
  (no command)     Interactive mode: a chat with the agent (or the raw terminal) right here.
                   --remote-control (alias --rc) shares it from the start; otherwise type
                   /remote-control (or /rc) in the chat to share it later.
  signal           Run a standalone signal server (hosts use it with --signal URL).
  attach           Join a session from this terminal.
  devices          List, rename, change the role of, or revoke paired devices; answer waiting ones.
  sessions         List or prune the sessions stored in the state folder.

Interactive mode takes the same options as remote-control (--agent, --port, --bind, --local,
--public-url, --signal, --tls-cert, --tls-key, --trust-proxy, --ice-server, --turn-secret,
--turn-ttl, --ice-transport, --cols, --rows, --config, --link-ttl, --confirm-devices, --audit,
--audit-prompts, --state-dir, --keep-history, --history-limit, --log-level); see
'tether remote-control --help'. Interactive sessions are stored too: a server started in the same
folder lists them, read-only.
Chat commands: /remote-control [name] (/rc) share or show the sharing panel, /rc new and
/rc view (a fresh link, a view-only link), /rc stop, /devices [revoke|role|rename|revoke-all],
/allow <n> [view], /deny <n>, /stop, /mode <id>, /config [setting value] (and /<setting> <value>,
e.g. /model 2), /usage, /login [n] (runs the agent's login program here), / lists the agent's own
slash commands (sent to it as prompts; Tab completes), /quit. A number answers a permission
request; when the agent asks a question, type the answers one per line (/decline refuses). For
terminal programs, Ctrl-] then s shares (or shows the panel), n a fresh link, v a view-only link,
a / o / d allow / allow view-only / deny a waiting device, x stops sharing, q quits; Ctrl-] twice
sends Ctrl-].`;

/** \`tether remote-control --help\`. */
export const REMOTE_CONTROL_HELP = `Usage: tether remote-control [name] [options] [-- <command> [args...]]

Server mode: serves sessions of a coding agent (over the Agent Client Protocol) or a terminal
program (in a PTY) and the session list. Open the printed link, or scan the QR code, on any device
on the same network: the list shows every session; open one, start one, or end one. Every device
in a session sees the same conversation or screen and can send prompts or type.

Server options:
  [name]                  The server's name; also the name of the session started in the folder.
  --spawn same-dir        New sessions work in this folder (the default).
  --spawn worktree        Each session started from a device gets its own git worktree
                          (.tether/worktrees/<name>, branch tether/<name> from HEAD).
  --spawn session         Exactly one session; tether exits when its terminal program exits.
  --capacity N            Most concurrent sessions (default 32; not with --spawn session).
  --create-session-in-dir, --no-create-session-in-dir
                          Start one session in this folder at startup (default: yes).

Options:
  --agent claude|codex|gemini|copilot|goose
                          Run a preset ACP agent (claude-agent-acp, codex-acp, gemini --acp,
                          copilot --acp, goose acp), or a preset from the config file.
  --agent 'acp:<command line>'
                          Run any other ACP agent (the line is run by /bin/sh -c).
  --agent shell           Run your shell in a PTY: $SHELL, else /bin/sh (the default).
  --agent 'pty:<command line>'
                          Run any terminal program (the line is run by /bin/sh -c).
  -- <command> [args...]  Shorthand for --agent pty: runs <command> directly with its args.
  --config FILE           Config file with extra presets and STUN/TURN servers (default
                          ~/.config/tether/config.json): {"presets": {"name": {"command":
                          "cmd --acp", "install": "how to", "login": "how to log in",
                          "authEnv": {"<login method id>": "VAR"}}}, "iceServers": [{"urls":
                          "turn:host:3478", "username": "u", "credential": "c"}]}
  --port N                Port of the embedded signal server (default 7420; if it is taken, any
                          free port is used). 0 = any free port.
  --bind ADDR             Address to listen on (default 0.0.0.0: every interface, so devices on
                          your LAN can connect).
  --local                 Listen on 127.0.0.1 only (same as --bind 127.0.0.1).
  --public-url URL        Origin to put in the link instead of http://<LAN address>:<port>;
                          pages from it may connect to the embedded signal server.
  --signal URL            Use a standalone signal server ('tether signal') instead of the embedded one.
  --tls-cert FILE         PEM certificate chain: serve the page and the embedded signal server over
                          https and wss (with --tls-key); links and the QR code use https. Not with --signal.
  --tls-key FILE          PEM private key of --tls-cert.
  --trust-proxy           A TLS reverse proxy in front sets X-Forwarded-For/-Host/-Proto (use with
                          --public-url https://…). Not with --signal.
  --ice-server URL        A STUN or TURN server for devices beyond this network (repeatable):
                          stun:HOST[:PORT] is handed to devices as is; turn:HOST[:PORT] and
                          turns:HOST[:PORT] need --turn-secret (or credentials in the config file).
  --turn-secret FILE      coturn's static-auth-secret (use-auth-secret): the embedded signal server
                          mints short-lived TURN credentials for this host and each device, so no
                          TURN password reaches a browser. Not with --signal (that server mints).
  --turn-ttl DURATION     Lifetime of minted TURN credentials: 60s to 30d (default 12h).
  --ice-transport all|relay
                          relay: this host's side of every connection goes through TURN (hides its
                          addresses; default all).
  --link-ttl DURATION     How long the link (QR code) lets new devices pair: 90s, 10m, 2h, 7d, or
                          never (default 10m). A paired device keeps working after it expires.
  --confirm-devices       A new device waits until you allow it (status screen, chat, an owner
                          device, or tether devices allow|deny <id>).
  --allow-agent NAME      An agent devices may start from the list (repeatable): a preset, shell,
                          pty or acp. Default: this server's agent and the presets (not shell).
  --audit FILE            Append one JSON line per action (pairings, joins, leaves, roles,
                          revocations, prompts, answers, stops, session starts and ends) to FILE.
  --audit-prompts full|hash
                          Record prompts (and answers to the agent's questions) in the audit
                          log as text or as SHA-256 (default hash).
  --state-dir DIR         The user's state folder: trust store (trust.json), control socket and
                          stored sessions (default $TETHER_STATE_DIR, else $XDG_STATE_HOME/tether,
                          else ~/.local/state/tether).
  --cols N, --rows N      Initial terminal size (default 80x24; the device that types sets it after).
  --keep-history DURATION How long ended sessions are kept: 12h, 7d, 30d, or forever (default 7d).
  --history-limit SIZE    Most disk stored sessions may use, e.g. 500m or 2g (default 1g); past it
                          the oldest ended sessions are removed first.
  --notifications on|generic|off
                          Push notifications to devices that turn them on, also with the page
                          closed (needs https and internet): on (session name and what
                          happened, default), generic (no session details), off.
  --json                  Print one JSON object per line instead of the QR code and status screen:
                          ready, session-started, session-restored, session-resumed,
                          session-ended, session-exited, session-removed, device-joined (with the
                          path: direct, stun or relay), device-left, device-waiting, device-paired,
                          device-revoked, error (a failed start prints it before exiting with
                          status 1).
  --log-level LEVEL       fatal|error|warn|info|debug|trace|silent (default warn); logs go to stderr.
  -h, --help              Show this help.

Keys (on the status screen): q or Ctrl-C quits; space shows or hides the QR code; n makes a
fresh link, v a view-only link; w switches new sessions between this folder and their own
worktree; a / o / x allow / allow view-only / deny a device waiting to join; d opens the
devices panel (1-9 select, x revoke, O/C/V set owner/control/view, X revoke all).
The admin policy (/etc/tether/policy.json, then ~/.config/tether/policy.json) may forbid
flags: such a flag is one line naming the file and key (POLICY_FORBIDS, exit status 2).
A session whose program or agent ends stays readable on every device until it is removed from
the list. With --spawn session, tether exits with the terminal program's exit code (128 + the
signal's number when a signal killed it).
Agents log in the agent's way: tether logs in with a preset's variable when it is set (codex:
OPENAI_API_KEY or CODEX_API_KEY); otherwise a device shows the agent's login methods and, for a
login program (claude), an owner can run it in a terminal session. See README "Agents".

Sessions survive restarts: started again in the same folder, the server takes back its link (the
same port and ids), its sessions and their history. Sessions that were running come back
"interrupted" with a Resume action (a terminal program starts again below its old scrollback; an
agent takes its session back when it can, else starts afresh below the old conversation).`;

/** \`tether sessions --help\`. */
export const SESSIONS_HELP = `Usage: tether sessions [list] [--json]
       tether sessions prune [<session id>...] [--older-than DURATION | --all] [--json]

Sessions are stored in the state folder as they change (their documents and the intents applied),
so a restarted server brings them back. 'list' shows each stored session (live, interrupted or
ended), its last activity and its size, and the total disk use. 'prune' removes stored sessions
idle longer than --older-than (default 7d), the given ids, or --all; a session a running tether
serves is never removed. Servers prune by themselves (--keep-history, --history-limit).

Options:
  --state-dir DIR         The state folder (default: $TETHER_STATE_DIR, else $XDG_STATE_HOME/tether,
                          else ~/.local/state/tether).
  --older-than DURATION   12h, 7d, 30d…
  --all                   Every stored session that no running tether serves.
  --json                  One JSON object instead of text.
  -h, --help              Show this help.`;

/** \`tether signal --help\`. */
export const SIGNAL_HELP = `Usage: tether signal [options]

Runs a standalone signal server. It introduces devices to hosts and serves the browser app;
it never sees terminal content or session keys.

Options:
  --port N             Port to listen on (default 7420; 0 = any free port).
  --bind ADDR          Address to listen on (default 0.0.0.0).
  --local              Listen on 127.0.0.1 only.
  --public-url URL     The URL devices open (e.g. behind a reverse proxy); pages from its origin
                       may connect, as may pages from the address they asked for (Host).
  --trust-proxy        A reverse proxy in front sets X-Forwarded-For (the address limits count),
                       X-Forwarded-Host and X-Forwarded-Proto (the page origin it serves).
  --allow-origin ORIGIN
                       Also let pages from ORIGIN (e.g. https://app.example.com) connect;
                       repeatable. Clients that send no Origin (hosts, tether attach) always may.
  --tls-cert FILE      PEM certificate chain: serve https and wss (with --tls-key).
  --tls-key FILE       PEM private key of --tls-cert.
  --ice-server URL     A STUN or TURN server handed to hosts and devices (repeatable):
                       stun:HOST[:PORT] as is; turn:/turns:HOST[:PORT] with minted credentials.
  --turn-secret FILE   coturn's static-auth-secret: mint short-lived TURN credentials for every
                       host and device (needs an --ice-server turn: URL).
  --turn-ttl DURATION  Lifetime of minted TURN credentials: 60s to 30d (default 12h).
  --redis URL          redis://[user:password@]host[:port][/db]: run several instances behind one
                       address; sessions, caps and rate limits are shared through Redis, sockets
                       through socket.io's Redis adapter (websocket only: no sticky sessions).
  --json               Print {"event":"ready","url":...} as one JSON line instead of text.
  --log-level LEVEL    fatal|error|warn|info|debug|trace|silent (default info).
  -h, --help           Show this help.

Limits (a refused request gets LIMIT_REACHED or RATE_LIMITED; raise them for benchmarks):
  --max-sessions N                  Sessions on this server in total (default 50000).
  --max-sessions-per-address N      Sessions registered from one address (default 4000).
  --max-sessions-per-connection N   Sessions one host connection registers (default 2000).
  --registrations-per-minute N      Registrations per host connection (default 4000).
  --messages-per-minute N           Signaling messages relayed per minute from one device,
                                    and from a host to one device (default 120).
  --joins-per-minute N              Joins from one address, successful or not (default 600).
  --failed-joins-per-minute N       Joins of an unknown session, per address and session
                                    (default 20); a join that succeeds is never refused.
IPv6 addresses count per /64.`;

/** \`tether attach --help\`. */
export const ATTACH_HELP = `Usage: tether attach <url> | tether attach - | TETHER_LINK=<url> tether attach

Joins a session from this terminal. Quote the URL: it contains '#'. To keep the link (its key) out of
the process list, give it on standard input ('-') or in the TETHER_LINK environment variable.
A malformed link is refused at once (exit status 2). If the host cannot be reached for 15 seconds, or
it ends this session for this device (sharing stopped, session removed, device removed), attach says
so and exits with status 1.
  - a shared terminal: raw mode; your terminal's size is sent when you type or resize.
    Ctrl-] detaches.
  - a conversation: a chat; type a message and Enter, a number and Enter answers a
    permission request, the answers to the agent's questions one per line, / lists the
    agent's slash commands, /config and /<setting> <value> change its settings, /usage,
    /stop stops the agent's turn, /quit leaves.
  - a server's session list: prints every session with its own attach command.

Options:
  --log-level LEVEL    fatal|error|warn|info|debug|trace|silent (default warn).
  -h, --help           Show this help.`;

/** \`tether devices --help\`. */
export const DEVICES_HELP = `Usage: tether devices [list|rename|role|revoke|revoke-all|allow|deny] [options]

The devices paired with your hosts (one trust store per user, in the state folder). Running hosts
are reached through their control sockets, so a revoked device is disconnected at once.
  tether devices [list]                 every paired device (and devices waiting to join)
  tether devices rename <id> <name>     rename a device (the name others see)
  tether devices role <id> owner|control|view
                                        change what a device may do (at once on live connections)
  tether devices revoke <id>            remove a device: its connections close, its credential and
                                        the link it paired with stop working
  tether devices revoke-all             remove every device and revoke every link (hosts show new ones)
  tether devices allow <id> [--view]    let a waiting device join (--confirm-devices), view-only with --view
  tether devices deny <id>              refuse a waiting device
<id> is the deviceId that this list and --json's device-joined event report.

Options:
  --json               One JSON object on stdout ({"devices":[...]}, or the action's result).
  --state-dir DIR      The state folder (default $TETHER_STATE_DIR, $XDG_STATE_HOME/tether or
                       ~/.local/state/tether).
  -h, --help           Show this help.`;
