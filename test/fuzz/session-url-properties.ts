/**
 * Fuzz properties of session links (protocol/session-url.ts): random strings and mutated valid links give
 * a link or TetherError BAD_FLAG / KEY_REJECTED; an accepted link is well-formed and round trips; an error
 * never quotes the link's key.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';
import { ID_PATTERN, KEY_PATTERN } from '../../protocol/ids.js';
import { fuzzProperty, type FuzzProperty } from './fuzz-property.js';
import { valueOrCoded } from './coded-outcome.js';
import { hostileString, mutateText } from './mutations.js';
import { aKey, anId } from './valid-messages.js';

/** Where a signal server may live: LAN addresses, names, IPv6, ports, path prefixes. */
const origin = fc.oneof(
  fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: false, withFragments: false }),
  fc.constantFrom('http://192.168.1.20:7420', 'http://[::1]:7420', 'https://tether.example.com/a/b', 'http://localhost:1', 'https://xn--bcher-kva.example'),
);

/** A link as the host prints it, with or without its key. */
const validLink = fc
  .tuple(origin, anId, fc.option(aKey), fc.constantFrom(null, 'terminal', 'conversation'))
  .map(([o, id, key, kind]) => formatSessionUrl(o, id, key, kind));

/** Session link properties. */
export const sessionUrlProperties: FuzzProperty[] = [
  fuzzProperty({
    name: 'session-url/parse',
    arbitrary: fc.oneof(
      { weight: 1, arbitrary: validLink },
      { weight: 5, arbitrary: mutateText(validLink) },
      { weight: 2, arbitrary: hostileString({ maxHuge: 20_000 }) },
      { weight: 1, arbitrary: fc.tuple(fc.webUrl({ withFragments: true, withQueryParameters: true }), anId).map(([u, id]) => `${u}/s/${id}`) },
    ),
    check: (text) => {
      const out = valueOrCoded(() => parseSessionUrl(text), ['BAD_FLAG', 'KEY_REJECTED']);
      if (!out.ok) {
        // The key lives after '#': no error message may quote it.
        const fragment = text.includes('#') ? text.slice(text.indexOf('#') + 1) : '';
        if (fragment.length >= 8) assert.ok(!out.error.message.includes(fragment), 'an error message quotes the link\'s key');
        return;
      }
      const link = out.value;
      assert.match(link.sessionId, ID_PATTERN);
      assert.ok(link.token === null || KEY_PATTERN.test(link.token));
      assert.ok(link.kind === null || link.kind === 'terminal' || link.kind === 'conversation');
      assert.match(link.origin, /^https?:\/\//);
      // Formatting drops an origin's trailing slashes (…//s/<id> names the same session); otherwise a round trip.
      const again = parseSessionUrl(formatSessionUrl(link.origin, link.sessionId, link.token, link.kind));
      assert.deepEqual(again, { ...link, origin: link.origin.replace(/\/+$/, '') }, 'an accepted link round trips through formatSessionUrl');
    },
    runs: { short: 600, long: 15_000 },
  }),
];
