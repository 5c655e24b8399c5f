import { all, api, Page } from '../api';
import { card, fill, h } from '../dom';
import { int, usd, when } from '../format';
import { facts, PageDef, problem } from '../page';
import type { AuditRow, TokenRow } from '../types';

const TAIL_MS = 2000;
const PAGE_SIZE = 50;

/** A datetime-local value, read as UTC (the log's days are UTC), as ISO-8601; undefined when empty. */
const utc = (value: string): string | undefined => (value === '' ? undefined : new Date(`${value}:00Z`).toISOString());

function details(row: AuditRow): HTMLElement {
  return card(
    `Request ${row.id}`,
    facts(Object.entries(row).map(([key, value]) => [key, value === null ? '—' : String(value)])),
  );
}

export const auditPage: PageDef = {
  path: 'audit',
  title: 'Audit log',
  roles: ['admin'],
  render(root) {
    let cursor: string | null = null;
    let newestId = 0;
    let tailTimer: number | undefined;
    const body = h('tbody');
    const status = h('p', { class: 'refresh', 'aria-live': 'polite' });
    const shown = h('div', { 'aria-live': 'polite' });
    const older = h('button', { type: 'button', class: 'secondary' }, 'Older rows');
    const tail = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' }, 'Live tail');

    const field = (id: string, label: string, control: HTMLElement) => h('div', null, h('label', { for: id }, label), control);
    const tokenList = h('datalist', { id: 'audit-apps' });
    const form = h(
      'form',
      { 'aria-label': 'Filter the log', class: 'form-grid' },
      field('audit-app', 'App', h('input', { id: 'audit-app', name: 'app', list: 'audit-apps', autocomplete: 'off' })),
      tokenList,
      field('audit-route', 'Route', h('input', { id: 'audit-route', name: 'route', placeholder: '/run', autocomplete: 'off' })),
      field(
        'audit-status',
        'Status',
        h('select', { id: 'audit-status', name: 'status' }, [['', 'any'], ['failed', 'failed (400 and over)'], ['2xx', '2xx'], ['4xx', '4xx'], ['5xx', '5xx']].map(([v, t]) => h('option', { value: v }, t))),
      ),
      field('audit-since', 'From (UTC)', h('input', { id: 'audit-since', name: 'since', type: 'datetime-local' })),
      field('audit-until', 'Before (UTC)', h('input', { id: 'audit-until', name: 'until', type: 'datetime-local' })),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters')),
    );
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    const query = (extra: Record<string, string | undefined>): string => {
      const params = new URLSearchParams();
      const pairs: Record<string, string | undefined> = { token: value('app') || undefined, route: value('route') || undefined, status: value('status') || undefined, since: utc(value('since')), until: utc(value('until')), ...extra };
      for (const [k, v] of Object.entries(pairs)) if (v !== undefined) params.set(k, v);
      return `/admin/audit?${params.toString()}`;
    };

    const rowOf = (row: AuditRow, fresh = false): HTMLTableRowElement => {
      const failed = row.status >= 400;
      const open = h('button', { type: 'button', class: 'link', 'aria-label': `Details of request ${row.id}` }, 'Details');
      open.addEventListener('click', () => {
        fill(shown, details(row));
        shown.querySelector('h2')?.setAttribute('tabindex', '-1');
        shown.querySelector<HTMLElement>('h2')?.focus();
      });
      const cells = [
        when(row.at),
        row.token_name ?? '—',
        `${row.method} ${row.route}`,
        h('span', { class: failed ? 'bad' : undefined }, failed ? `${row.status} failed` : String(row.status)),
        row.error_code ?? '—',
        `${int(row.duration_ms)} ms`,
        row.model ?? '—',
        usd(row.cost_usd),
        open,
      ];
      return h('tr', { class: [failed ? 'failed' : '', fresh ? 'fresh' : ''].join(' ').trim() || undefined, 'data-id': row.id }, cells.map((c) => h('td', null, c)));
    };

    const load = async (append: boolean) => {
      try {
        const page = await api<Page<AuditRow>>(query({ limit: String(PAGE_SIZE), cursor: append && cursor !== null ? cursor : undefined }));
        if (!append) {
          body.replaceChildren();
          newestId = page.items[0]?.id ?? newestId;
        }
        for (const row of page.items) body.appendChild(rowOf(row));
        if (body.children.length === 0) body.appendChild(h('tr', null, h('td', { colspan: 9, class: 'empty' }, 'no rows match')));
        cursor = page.next_cursor;
        older.disabled = cursor === null;
        status.textContent = `${body.querySelectorAll('tr[data-id]').length} rows shown${cursor === null ? ', the oldest included' : ''}`;
      } catch (error) {
        fill(status, problem(error));
      }
    };

    const pollTail = async () => {
      try {
        const fresh = await api<Page<AuditRow>>(query({ after_id: String(newestId), limit: '1000', until: undefined }));
        body.querySelector('td.empty')?.parentElement?.remove();
        for (const row of fresh.items) {
          body.insertBefore(rowOf(row, true), body.firstChild);
          newestId = row.id;
        }
        if (fresh.items.length > 0) status.textContent = `${fresh.items.length} new rows at ${new Date().toISOString().slice(11, 19)} UTC`;
      } catch (error) {
        fill(status, problem(error));
      }
      if (tail.getAttribute('aria-pressed') === 'true') tailTimer = window.setTimeout(() => void pollTail(), TAIL_MS);
    };

    tail.addEventListener('click', () => {
      const on = tail.getAttribute('aria-pressed') !== 'true';
      tail.setAttribute('aria-pressed', String(on));
      tail.textContent = on ? 'Live tail: on' : 'Live tail';
      window.clearTimeout(tailTimer);
      if (on) void pollTail();
    });
    older.addEventListener('click', () => void load(true));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void load(false);
    });

    const head = ['Time', 'App', 'Request', 'Status', 'Error', 'Duration', 'Model', 'Cost', ''];
    fill(
      root,
      card('Filters', form),
      h('div', { class: 'actions' }, tail),
      status,
      card(
        'Requests',
        h('table', { class: 'audit' }, h('caption', null, 'Newest first; failed requests marked'), h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'offscreen' }, 'Actions'))))), body),
        h('div', { class: 'actions' }, older),
      ),
      shown,
    );
    void load(false);
    void all<TokenRow>('/admin/tokens').then((tokens) => fill(tokenList, tokens.map((t) => h('option', { value: t.name })), h('option', { value: 'admin' })), () => undefined);
    return () => window.clearTimeout(tailTimer);
  },
};
