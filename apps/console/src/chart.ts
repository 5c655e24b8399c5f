import { h, svg } from './dom';

/** Colours of the series, told apart without relying on colour alone (the table beneath has every number). */
export const PALETTE = ['#0b5cad', '#d9730d', '#1a7f37', '#8250df', '#b3261e', '#0a7d86', '#7d5300', '#bf3989', '#57606a'];

export interface Stack {
  label: string;
  /** What is written under the bar, when not the label. */
  tick?: string;
  parts: { series: string; value: number }[];
}

const W = 900;
const H = 280;
const PAD = { left: 64, right: 12, top: 12, bottom: 44 };

/**
 * A stacked bar chart as SVG: one bar per label, one segment per series, an optional horizontal
 * line (a budget), and a title on every segment for those who point at it.
 */
export function stackedBars(title: string, stacks: Stack[], series: string[], format: (n: number) => string, line?: { value: number; label: string }): SVGElement {
  const max = Math.max(line?.value ?? 0, ...stacks.map((s) => s.parts.reduce((a, p) => a + p.value, 0)), 1e-9);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const band = plotW / Math.max(stacks.length, 1);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const colour = (name: string) => PALETTE[series.indexOf(name) % PALETTE.length];
  const bars = stacks.map((stack, i) => {
    let base = 0;
    const x = PAD.left + i * band + band * 0.15;
    const segments = stack.parts
      .filter((p) => p.value > 0)
      .map((p) => {
        const top = y(base + p.value);
        const rect = svg('rect', { x: x.toFixed(1), y: top.toFixed(1), width: (band * 0.7).toFixed(1), height: Math.max(y(base) - top, 0.5).toFixed(1), fill: colour(p.series) }, svg('title', null, `${stack.label} · ${p.series}: ${format(p.value)}`));
        base += p.value;
        return rect;
      });
    const tick = i % Math.ceil(stacks.length / 10) === 0 ? svg('text', { x: (x + band * 0.35).toFixed(1), y: H - PAD.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, stack.tick ?? stack.label) : null;
    return svg('g', null, segments, tick);
  });
  const grid = [0, 0.5, 1].map((f) => svg('g', null, svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(max * f), y2: y(max * f), class: 'grid' }), svg('text', { x: PAD.left - 6, y: y(max * f) + 4, 'text-anchor': 'end', class: 'tick' }, format(max * f))));
  const budget = line
    ? svg('g', { class: 'budget' }, svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(line.value), y2: y(line.value) }), svg('text', { x: W - PAD.right, y: y(line.value) - 4, 'text-anchor': 'end' }, line.label))
    : null;
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title }, grid, bars, budget);
}

/** Which colour is which series. */
export function legend(series: string[]): HTMLElement {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Legend' },
    series.map((name, i) => h('li', null, svg('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, svg('rect', { width: 12, height: 12, rx: 2, fill: PALETTE[i % PALETTE.length] })), ` ${name}`)),
  );
}

/** A button that saves `rows` as a CSV file named `filename`. */
export function csvButton(label: string, filename: string, rows: (string | number)[][]): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', () => {
    const cell = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\n\r]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : v);
    const text = rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
    const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: filename });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
  return button;
}
