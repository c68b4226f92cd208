/**
 * The encoder of the `qrcode` package alone: its package entry also loads the PNG (pngjs), SVG and
 * terminal renderers, which tether does not use (host/status-screen.ts draws the modules itself).
 */
declare module 'qrcode/lib/core/qrcode.js' {
  export { create } from 'qrcode';
}
