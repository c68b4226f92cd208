/** Device names derived from real user agents, as other devices will see them. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deviceNameFromUserAgent, MAX_DEVICE_NAME } from '../../client/web/device-name.js';

const CASES: ReadonlyArray<[ua: string, touchPoints: number, name: string]> = [
  ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', 5, 'Chrome on Android'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 5, 'Safari on iPhone'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1', 5, 'Chrome on iPhone'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 5, 'Safari on iPad'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 0, 'Safari on macOS'],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0', 0, 'Firefox on Linux'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0', 0, 'Edge on Windows'],
  ['Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36', 5, 'Samsung Internet on Android'],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36', 0, 'Chrome on Linux'],
  ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 0, 'Chrome on ChromeOS'],
  ['curl/8.5.0', 0, 'Browser'],
];

describe('deviceNameFromUserAgent', () => {
  for (const [ua, touchPoints, name] of CASES) {
    it(`${name} (${ua.slice(0, 40)}…)`, () => {
      assert.equal(deviceNameFromUserAgent(ua, touchPoints), name);
    });
  }

  it('is never empty and never longer than the protocol allows', () => {
    assert.equal(deviceNameFromUserAgent(''), 'Browser');
    assert.ok(deviceNameFromUserAgent('x'.repeat(1000)).length <= MAX_DEVICE_NAME);
  });
});
