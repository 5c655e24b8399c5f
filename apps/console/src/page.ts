import { ApiFailure } from './api';
import { Child, fill, h } from './dom';

/** Stops what a page left running (its refresh timer) when another page replaces it. */
export type Cleanup = () => void;

export interface PageDef {
  path: string;
  title: string;
  /** Who sees it in the navigation. */
  roles: ('admin' | 'app')[];
  render(root: HTMLElement): Cleanup;
}

/** A definition list of label and value pairs. */
export function facts(pairs: [string, Child][]): HTMLDListElement {
  return h('dl', { class: 'facts' }, pairs.map(([label, value]) => [h('dt', null, label), h('dd', null, value)]));
}

/** The error an action met, as the gateway named it. */
export function problem(error: unknown): HTMLElement {
  const text = error instanceof ApiFailure ? `${error.message} (${error.status} ${error.code})` : error instanceof Error ? error.message : String(error);
  return h('p', { class: 'problem', role: 'alert' }, text);
}

/**
 * Draws what `load` builds into `root` now and every `everyMs` after, while the tab is visible,
 * keeping the last good view (and saying so) when a refresh fails.
 */
export function refreshing(root: HTMLElement, load: () => Promise<Child>, everyMs: number, onError?: (error: unknown) => void): Cleanup {
  let stopped = false;
  let timer: number | undefined;
  const status = h('p', { class: 'refresh', 'aria-live': 'polite' });
  const body = h('div');
  fill(root, status, body);
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try {
        const view = await load();
        if (stopped) return;
        fill(body, view);
        status.textContent = `Updated ${new Date().toISOString().slice(11, 19)} UTC, every ${everyMs / 1000} s`;
        status.classList.remove('stale');
      } catch (error) {
        if (stopped) return;
        onError?.(error);
        status.textContent = `Not updated: ${error instanceof Error ? error.message : String(error)}`;
        status.classList.add('stale');
      }
    }
    timer = window.setTimeout(() => void tick(), everyMs);
  };
  void tick();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
