/** The text of `tether --help` and of each command's `--help`. README's "Command line" section mirrors it. */

/** Overview of every command. */
export const MAIN_HELP = `tether — work on a live coding-agent or terminal session from your phone or another browser, peer to peer.

Usage:
  tether remote-control [name] [options] [-- <command> [args...]]
  tether [--remote-control [name] | --rc [name]] [options] [-- <command> [args...]]
  tether signal [options]
  tether attach <session url>
  tether --help | --version

Commands:
  remote-control   Server mode: run an agent or program and share it; print its link and QR code.
  (no command)     Interactive mode: a chat with the agent (or the raw terminal) right here.
                   --remote-control (alias --rc) shares it from the start; otherwise type
                   /remote-control (or /rc) in the chat to share it later.
  signal           Run a standalone signal server (hosts use it with --signal URL).
  attach           Join a session from this terminal.

Interactive mode takes the same options as remote-control (--agent, --port, --bind, --local,
--public-url, --signal, --cols, --rows, --config, --log-level); see 'tether remote-control --help'.
Chat commands: /remote-control [name] (/rc) share or show the sharing panel, /devices,
/stop, /mode <id>, /config [setting value] (and /<setting> <value>, e.g. /model 2), /usage,
/login [n] (runs the agent's login program here), / lists the agent's own slash commands (sent to
it as prompts; Tab completes), /quit. A number answers a permission request; when the agent asks a
question, type the answers one per line (/decline refuses). For terminal programs, Ctrl-] then s
shares (or shows the panel), Ctrl-] then q quits, Ctrl-] twice sends Ctrl-].`;

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
  --config FILE           Config file with extra presets (default ~/.config/tether/config.json):
                          {"presets": {"name": {"command": "cmd --acp", "install": "how to",
                          "login": "how to log in", "authEnv": {"<login method id>": "VAR"}}}}
  --port N                Port of the embedded signal server (default 7420; if it is taken, any
                          free port is used). 0 = any free port.
  --bind ADDR             Address to listen on (default 0.0.0.0: every interface, so devices on
                          your LAN can connect).
  --local                 Listen on 127.0.0.1 only (same as --bind 127.0.0.1).
  --public-url URL        Origin to put in the link instead of http://<LAN address>:<port>;
                          pages from it may connect to the embedded signal server.
  --signal URL            Use a standalone signal server ('tether signal') instead of the embedded one.
  --link-ttl DURATION     How long the link (QR code) lets new devices pair: 90s, 10m, 2h, 7d, or
                          never (default 10m). A paired device keeps working after it expires.
  --cols N, --rows N      Initial terminal size (default 80x24; the device that types sets it after).
  --json                  Print one JSON object per line instead of the QR code and status screen:
                          ready, session-started, session-ended, session-exited,
                          session-removed, device-joined, device-left, error (a failed start
                          prints it before exiting with status 1).
  --log-level LEVEL       fatal|error|warn|info|debug|trace|silent (default warn); logs go to stderr.
  -h, --help              Show this help.

Keys (on the status screen): q or Ctrl-C quits; space shows or hides the QR code; w switches
new sessions between this folder and their own worktree.
A session whose program or agent ends stays readable on every device until it is removed from
the list. With --spawn session, tether exits with the terminal program's exit code (128 + the
signal's number when a signal killed it).
Agents log in the agent's way: tether logs in with a preset's variable when it is set (codex:
OPENAI_API_KEY or CODEX_API_KEY); otherwise a device shows the agent's login methods and, for a
login program (claude), an owner can run it in a terminal session. See README "Agents".`;

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
export const ATTACH_HELP = `Usage: tether attach <url>

Joins a session from this terminal. Quote the URL: it contains '#'.
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
