/**
 * The few line icons the pages use (a git branch, a folder, a device, a clock, a plus, a bell), as
 * inline SVG so they look the same on every system whatever its fonts. Decorative: hidden from
 * screen readers, the text beside them says the same.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Names of the icons. */
export type IconName = 'branch' | 'folder' | 'device' | 'clock' | 'plus' | 'bell';

/** A path's `d`, or a circle as [cx, cy, r]. */
type Shape = string | readonly [number, number, number];

/** 16×16 outlines drawn with `currentColor`. */
const SHAPES: Record<IconName, readonly Shape[]> = {
  branch: ['M5 5.5v5', 'M11 6.5c0 2.6-6 2-6 4', [5, 4, 1.5], [5, 12, 1.5], [11, 5, 1.5]],
  folder: ['M2 4.5A1.5 1.5 0 0 1 3.5 3h3l1.5 1.7h4.5A1.5 1.5 0 0 1 14 6.2v5.3a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z'],
  device: ['M2.5 3.5h11v7h-11z', 'M6 13.5h4', 'M8 10.5v3'],
  clock: [[8, 8, 5.5], 'M8 5v3.2l2.2 1.4'],
  plus: ['M8 3v10', 'M3 8h10'],
  bell: ['M4 11V7.5a4 4 0 0 1 8 0V11l1.2 1.5H2.8z', 'M6.6 14a1.5 1.5 0 0 0 2.8 0'],
};

/** An icon element (class `icon icon-<name>`). */
export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.4');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  for (const shape of SHAPES[name]) {
    if (typeof shape === 'string') {
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('d', shape);
      svg.append(path);
    } else {
      const circle = document.createElementNS(SVG_NS, 'circle');
      circle.setAttribute('cx', String(shape[0]));
      circle.setAttribute('cy', String(shape[1]));
      circle.setAttribute('r', String(shape[2]));
      svg.append(circle);
    }
  }
  return svg;
}
