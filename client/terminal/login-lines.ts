/**
 * A login the agent needs, as terminal lines (the chat, `tether attach`, and tether's own error on a
 * failed start): the agent's methods — which variable satisfies one, which runs a login program — and
 * the exact thing to do on the host. Agent text passes through safeLine.
 */
import type { LoginNeed } from '../../protocol/conversation-doc.js';
import { safeLine } from './safe-text.js';

/** The lines that explain `login` (no trailing newline on any). */
export function loginLines(login: LoginNeed): string[] {
  const lines = [`${safeLine(login.agent)} needs a login. Its login methods:`];
  for (const m of login.methods) {
    const how = m.envVar ? (m.ready ? ` (${m.envVar} is set)` : ` (set ${m.envVar})`) : m.type === 'terminal' ? ' (runs the agent\'s login program)' : '';
    lines.push(`  · ${safeLine(m.name)}${how}${m.description ? ` — ${safeLine(m.description)}` : ''}`);
  }
  if (login.methods.length === 0) lines.push('  · (the agent names none)');
  if (login.hint) lines.push(`To log in: ${safeLine(login.hint)}`);
  return lines;
}
