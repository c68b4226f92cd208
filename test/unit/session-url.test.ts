import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';
import { newId, newKey } from '../../protocol/ids.js';

const sessionId = newId();
const key = newKey();

describe('formatSessionUrl', () => {
  it('builds <origin>/s/<id>#<key>', () => {
    assert.equal(formatSessionUrl('http://192.168.1.20:7420', sessionId, key), `http://192.168.1.20:7420/s/${sessionId}#${key}`);
  });

  it('drops trailing slashes of the origin', () => {
    assert.equal(formatSessionUrl('https://example.com/tether//', sessionId, key), `https://example.com/tether/s/${sessionId}#${key}`);
  });
});

describe('parseSessionUrl round trips', () => {
  const origins = [
    'http://192.168.1.20:7420',
    'http://127.0.0.1:7420',
    'https://tether.example.com',
    'http://[::1]:7420',
    'http://localhost:1',
    'https://example.com/tether',
    'https://example.com/a/b/c',
    'https://example.com/s/nested',
  ];
  for (const origin of origins) {
    it(origin, () => {
      const url = formatSessionUrl(origin, sessionId, key);
      assert.deepEqual(parseSessionUrl(url), { origin, sessionId, token: key, kind: null });
    });
  }

  it('round trips many random ids and keys (every base64url character)', () => {
    for (let i = 0; i < 200; i++) {
      const link = { origin: 'http://10.0.0.2:7420', sessionId: newId(), token: newKey(), kind: null };
      assert.deepEqual(parseSessionUrl(formatSessionUrl(link.origin, link.sessionId, link.token)), link);
    }
  });

  it('accepts a trailing slash after the id and ignores a query string', () => {
    assert.deepEqual(parseSessionUrl(`http://10.0.0.2:7420/s/${sessionId}/#${key}`), { origin: 'http://10.0.0.2:7420', sessionId, token: key, kind: null });
    assert.deepEqual(parseSessionUrl(`http://10.0.0.2:7420/s/${sessionId}?utm=x#${key}`), { origin: 'http://10.0.0.2:7420', sessionId, token: key, kind: null });
  });

  it('normalises the origin the way URL does (lowercase host, default port dropped)', () => {
    assert.deepEqual(parseSessionUrl(`HTTP://Example.COM:80/s/${sessionId}#${key}`), { origin: 'http://example.com', sessionId, token: key, kind: null });
  });

  it('keeps a path prefix in the origin', () => {
    const link = parseSessionUrl(`https://example.com/team/tether/s/${sessionId}#${key}`);
    assert.equal(link.origin, 'https://example.com/team/tether');
    assert.equal(formatSessionUrl(link.origin, link.sessionId, link.token), `https://example.com/team/tether/s/${sessionId}#${key}`);
  });
});

describe('the kind hint (k=t, k=c): which view to load while connecting', () => {
  it('is a short query before the fragment; the key stays in the fragment', () => {
    assert.equal(formatSessionUrl('http://10.0.0.2:7420', sessionId, key, 'terminal'), `http://10.0.0.2:7420/s/${sessionId}?k=t#${key}`);
    assert.equal(formatSessionUrl('http://10.0.0.2:7420', sessionId, key, 'conversation'), `http://10.0.0.2:7420/s/${sessionId}?k=c#${key}`);
    assert.equal(formatSessionUrl('http://10.0.0.2:7420', sessionId, null, 'terminal'), `http://10.0.0.2:7420/s/${sessionId}?k=t`);
    // Nothing of the key reaches what a browser sends to the server (path and query).
    const sent = new URL(formatSessionUrl('http://10.0.0.2:7420', sessionId, key, 'conversation'));
    assert.ok(!`${sent.pathname}${sent.search}`.includes(key.slice(0, 8)));
  });

  it('names no kind for a session list (or any other kind)', () => {
    assert.equal(formatSessionUrl('http://10.0.0.2:7420', sessionId, key, 'session-list'), `http://10.0.0.2:7420/s/${sessionId}#${key}`);
    assert.equal(formatSessionUrl('http://10.0.0.2:7420', sessionId, key, null), `http://10.0.0.2:7420/s/${sessionId}#${key}`);
  });

  it('round trips', () => {
    for (const kind of ['terminal', 'conversation'] as const) {
      for (const token of [key, null]) {
        const origin = 'https://example.com/tether';
        assert.deepEqual(parseSessionUrl(formatSessionUrl(origin, sessionId, token, kind)), { origin, sessionId, token, kind });
      }
    }
  });

  it('old links without it stay valid, with no kind', () => {
    assert.deepEqual(parseSessionUrl(`http://10.0.0.2:7420/s/${sessionId}#${key}`), { origin: 'http://10.0.0.2:7420', sessionId, token: key, kind: null });
    assert.deepEqual(parseSessionUrl(`http://10.0.0.2:7420/s/${sessionId}`), { origin: 'http://10.0.0.2:7420', sessionId, token: null, kind: null });
  });

  it('is read beside other query parameters, and an unknown value is no hint (not an error)', () => {
    assert.equal(parseSessionUrl(`http://10.0.0.2:7420/s/${sessionId}?focus=attention&k=c#${key}`).kind, 'conversation');
    for (const q of ['?k=x', '?k=', '?k=terminal', '?k=T', '?kind=t']) {
      assert.equal(parseSessionUrl(`http://10.0.0.2:7420/s/${sessionId}${q}#${key}`).kind, null, q);
    }
  });
});

describe('links without a token (a paired device opens them with its credential)', () => {
  it('parses with a null token and formats back without a fragment', () => {
    for (const url of [`http://10.0.0.2:7420/s/${sessionId}`, `http://10.0.0.2:7420/s/${sessionId}#`]) {
      assert.deepEqual(parseSessionUrl(url), { origin: 'http://10.0.0.2:7420', sessionId, token: null, kind: null });
    }
    assert.equal(formatSessionUrl('http://10.0.0.2:7420', sessionId, null), `http://10.0.0.2:7420/s/${sessionId}`);
  });
});

describe('parseSessionUrl errors', () => {
  const cases: Array<[string, string, string]> = [
    ['a short key', `http://10.0.0.2:7420/s/${sessionId}#${key.slice(1)}`, 'KEY_REJECTED'],
    ['a long key', `http://10.0.0.2:7420/s/${sessionId}#${key}A`, 'KEY_REJECTED'],
    ['a key with a non-base64url character', `http://10.0.0.2:7420/s/${sessionId}#${key.slice(1)}!`, 'KEY_REJECTED'],
    ['a key with padding', `http://10.0.0.2:7420/s/${sessionId}#${key.slice(2)}=`, 'KEY_REJECTED'],
    ['a key that is a query', `http://10.0.0.2:7420/s/${sessionId}#k=${key}`, 'KEY_REJECTED'],
    ['not a URL', 'not a url', 'BAD_FLAG'],
    ['an empty string', '', 'BAD_FLAG'],
    ['a bare id', sessionId, 'BAD_FLAG'],
    ['ftp', `ftp://10.0.0.2/s/${sessionId}#${key}`, 'BAD_FLAG'],
    ['file', `file:///s/${sessionId}#${key}`, 'BAD_FLAG'],
    ['ws', `ws://10.0.0.2:7420/s/${sessionId}#${key}`, 'BAD_FLAG'],
    ['javascript', `javascript:alert(1)//s/${sessionId}#${key}`, 'BAD_FLAG'],
    ['no /s/ path', `http://10.0.0.2:7420/${sessionId}#${key}`, 'BAD_FLAG'],
    ['a different path letter', `http://10.0.0.2:7420/x/${sessionId}#${key}`, 'BAD_FLAG'],
    ['something after the id', `http://10.0.0.2:7420/s/${sessionId}/extra#${key}`, 'BAD_FLAG'],
    ['a root path', `http://10.0.0.2:7420/#${key}`, 'BAD_FLAG'],
    ['a short id', `http://10.0.0.2:7420/s/${sessionId.slice(1)}#${key}`, 'BAD_FLAG'],
    ['a long id', `http://10.0.0.2:7420/s/${sessionId}A#${key}`, 'BAD_FLAG'],
    ['an id with a dot', `http://10.0.0.2:7420/s/${sessionId.slice(1)}.#${key}`, 'BAD_FLAG'],
    ['an id that is percent-encoded', `http://10.0.0.2:7420/s/${sessionId.slice(3)}%41#${key}`, 'BAD_FLAG'],
  ];
  for (const [what, url, code] of cases) {
    it(`${what} → ${code}`, () => {
      assert.throws(() => parseSessionUrl(url), { name: 'TetherError', code });
    });
  }

  it('checks the link before the key: a bad path with no key is BAD_FLAG, not KEY_MISSING', () => {
    assert.throws(() => parseSessionUrl('http://10.0.0.2:7420/'), { code: 'BAD_FLAG' });
  });

  it('never puts the key in an error message', () => {
    for (const url of [`ftp://h/s/${sessionId}#${key}`, `http://h/s/${sessionId}#${key}!`, `http://h/x/${sessionId}#${key}`]) {
      assert.throws(() => parseSessionUrl(url), (err: Error) => {
        assert.ok(!err.message.includes(key.slice(0, 20)), err.message);
        return true;
      });
    }
  });

  it(
    'does not echo the key when the text is not a URL',
    () => {
      const link = `http://10.0.0.2:99999/s/${sessionId}#${key}`;
      assert.throws(() => parseSessionUrl(link), (err: Error) => {
        assert.equal((err as { code?: string }).code, 'BAD_FLAG');
        assert.ok(!err.message.includes(key.slice(0, 12)), `message leaks the key: ${err.message}`);
        return true;
      });
    },
  );
});
