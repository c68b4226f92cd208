/** The QR code the terminal shows decodes to the link it stands for (read back with a QR decoder). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jsQRModule from 'jsqr';
import { renderQr } from '../../host/status-screen.js';

// jsqr is CommonJS typed as an ES module: its function is the module's `default` export, as Node loads it.
const jsQR = jsQRModule.default;

/** Pixels per module side: a decoder wants more than one. */
const SCALE = 4;

/**
 * The picture a terminal shows for `text` (half blocks: the upper and lower half of a cell are one
 * module each; a block is light, a space is the dark terminal background), as RGBA pixels.
 */
function pixels(text: string): { data: Uint8ClampedArray; width: number; height: number } {
  const rows = text.split('\n').filter((line) => line.length > 0);
  const cols = Math.max(...rows.map((r) => [...r].length));
  // One extra dark cell all round: the terminal around the code.
  const width = (cols + 2) * SCALE;
  const height = (rows.length * 2 + 4) * SCALE;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  const light = (mx: number, my: number): void => {
    for (let y = 0; y < SCALE; y++) {
      for (let x = 0; x < SCALE; x++) {
        const at = ((my * SCALE + y) * width + mx * SCALE + x) * 4;
        data[at] = data[at + 1] = data[at + 2] = 255;
      }
    }
  };
  rows.forEach((row, r) => {
    [...row].forEach((ch, c) => {
      const top = ch === '█' || ch === '▀';
      const bottom = ch === '█' || ch === '▄';
      if (top) light(c + 1, r * 2 + 2);
      if (bottom) light(c + 1, r * 2 + 3);
    });
  });
  return { data, width, height };
}

describe('the QR code on the screen', () => {
  for (const link of [
    'http://192.168.1.20:7420/s/4Q9xCVvVGc8ghN9JcXz0dQ#dyJOStj0D7IzKzKN4oDRd48Oslf3d4cB5ekSJxHYl34',
    'https://laptop.tail1234.ts.net:7420/s/4Q9xCVvVGc8ghN9JcXz0dQ?k=c#dyJOStj0D7IzKzKN4oDRd48Oslf3d4cB5ekSJxHYl34',
  ]) {
    it(`decodes to its link (${link.length} characters)`, () => {
      const { data, width, height } = pixels(renderQr(link));
      const found = jsQR(data, width, height, { inversionAttempts: 'attemptBoth' });
      assert.ok(found, 'a QR decoder finds a code in what the terminal shows');
      assert.equal(found.data, link);
    });
  }
});
