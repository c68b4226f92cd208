/** The command line that runs the scripted ACP agent fixture as a real child process, from any folder. */
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../fixtures/scripted-agent.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

/** Quotes one word for /bin/sh. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `--agent` value for the scripted agent: `acp:node --import <tsx> <fixture>`. */
export const SCRIPTED_AGENT = `acp:${[process.execPath, '--import', tsx, fixture].map(shellQuote).join(' ')}`;

/** The scripted agent's command line as words (for a preset in a config file). */
export const SCRIPTED_AGENT_ARGV: readonly string[] = [process.execPath, '--import', tsx, fixture];
