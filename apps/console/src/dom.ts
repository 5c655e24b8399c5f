/**
 * The console's one way to build the page: elements made with createElement and every value set
 * as a text node or an attribute, never parsed as HTML, so a token name, a user agent or an error
 * message from the database is shown as the characters it holds.
 */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  [attribute: string]: string | number | boolean | null | undefined | EventListener;
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) child.forEach((c) => append(parent, c));
  else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

function setProps(el: Element, props: Props | undefined): void {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setProps(el, props ?? undefined);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, props?: Props | null, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setProps(el, props ?? undefined);
  append(el, children);
  return el;
}

/** Replaces what `parent` holds. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A table with a caption, head cells and rows of cells (each a value or a node). */
export function table(caption: string, head: string[], rows: Child[][], props?: Props): HTMLTableElement {
  return h(
    'table',
    props,
    h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((cell) => h('th', { scope: 'col' }, cell)))),
    h('tbody', null, rows.length === 0 ? h('tr', null, h('td', { colspan: head.length, class: 'empty' }, 'nothing yet')) : rows.map((row) => h('tr', null, row.map((cell) => h('td', null, cell))))),
  );
}

/** A titled panel of the page. */
export function card(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card', 'aria-label': title }, h('h2', null, title), children);
}
