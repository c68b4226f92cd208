/**
 * The size of one terminal cell at a given font, computed the way xterm.js 6 computes it (canvas
 * `measureText('W')`, heights rounded in device pixels), so layout decisions match what xterm draws.
 */

/** One cell's size in CSS pixels. */
export interface CellSize {
  width: number;
  height: number;
}

/** Measures a cell at a font size in CSS pixels. */
export type CellMeasure = (fontSize: number) => CellSize;

let context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;

function measuringContext(): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (context) return context;
  const ctx =
    typeof OffscreenCanvas === 'function'
      ? new OffscreenCanvas(1, 1).getContext('2d')
      : document.createElement('canvas').getContext('2d');
  if (!ctx) throw new Error('tether: no 2D canvas to measure the terminal font');
  context = ctx;
  return ctx;
}

/**
 * Returns a measure for `fontFamily`, cached per font size (layout runs often). `lineHeight` and `dpr`
 * mirror xterm's option and the screen's pixel ratio, which round cell heights to device pixels.
 */
export function cellMeasure(fontFamily: string, lineHeight = 1, dpr = () => window.devicePixelRatio || 1): CellMeasure {
  const cache = new Map<string, CellSize>();
  return (fontSize) => {
    const ratio = dpr();
    const cacheKey = `${fontSize}@${ratio}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const ctx = measuringContext();
    ctx.font = `${fontSize}px ${fontFamily}`;
    const metrics = ctx.measureText('W');
    const charHeight = metrics.fontBoundingBoxAscent + metrics.fontBoundingBoxDescent || fontSize * 1.2;
    const size: CellSize = {
      width: metrics.width,
      height: Math.floor(Math.ceil(charHeight * ratio) * lineHeight) / ratio,
    };
    cache.set(cacheKey, size);
    return size;
  };
}
