/** Session names: the given one, else `<hostname>-<adjective>-<noun>`; always unique within a server. */

const ADJECTIVES = ['amber', 'brave', 'calm', 'clever', 'crisp', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lively', 'lucky', 'merry', 'nimble', 'proud', 'quick', 'quiet', 'rapid', 'shiny', 'steady', 'sunny', 'swift', 'tidy', 'vivid', 'warm', 'witty', 'zesty'];
const NOUNS = ['badger', 'beacon', 'comet', 'falcon', 'fern', 'harbor', 'heron', 'island', 'lantern', 'maple', 'meadow', 'otter', 'panda', 'pebble', 'pine', 'raven', 'river', 'rocket', 'sparrow', 'summit', 'thistle', 'tiger', 'walrus', 'willow', 'yak', 'zephyr'];

function pick<T>(list: readonly T[]): T {
  const bytes = new Uint32Array(1);
  globalThis.crypto.getRandomValues(bytes);
  return list[bytes[0]! % list.length]!;
}

/** A hostname or session name reduced to what is safe in a branch and folder name (different names may share one). */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'tether';
}

/** A name no session in `taken` has: `wanted` (suffixed -2, -3… if taken), else a generated one. */
export function uniqueName(wanted: string | null, host: string, taken: ReadonlySet<string>): string {
  if (wanted) {
    if (!taken.has(wanted)) return wanted;
    for (let n = 2; ; n++) if (!taken.has(`${wanted}-${n}`)) return `${wanted}-${n}`;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const name = `${slug(host)}-${pick(ADJECTIVES)}-${pick(NOUNS)}`;
    if (!taken.has(name)) return name;
  }
  return uniqueName(`${slug(host)}-session`, host, taken);
}
