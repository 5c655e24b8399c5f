import { h } from './dom';
import type { Limits, TokenRow } from './types';

type Field = keyof Limits | 'ip_cidrs';

const FIELDS: { name: Field; label: string; hint: string; kind: 'list' | 'int' | 'usd' }[] = [
  { name: 'models', label: 'Models', hint: 'comma-separated, e.g. haiku, sonnet; empty for any', kind: 'list' },
  { name: 'ip_cidrs', label: 'Allowed networks', hint: 'CIDRs, comma-separated; empty for any the gateway allows', kind: 'list' },
  { name: 'max_concurrent_runs', label: 'Runs at once', hint: 'empty for no limit', kind: 'int' },
  { name: 'runs_per_minute', label: 'Runs per minute', hint: 'empty for no limit', kind: 'int' },
  { name: 'budget_usd_day', label: 'Budget per UTC day (USD)', hint: 'empty for none', kind: 'usd' },
  { name: 'budget_usd_month', label: 'Budget per UTC month (USD)', hint: 'empty for none', kind: 'usd' },
];

/** The inputs of a token's limits, filled from `token` when it is given. */
export function limitInputs(prefix: string, token?: TokenRow): HTMLElement {
  return h(
    'div',
    { class: 'form-grid' },
    FIELDS.map((f) => {
      const id = `${prefix}-${f.name}`;
      const value = token?.[f.name];
      return h(
        'div',
        null,
        h('label', { for: id }, f.label),
        h('input', {
          id,
          name: f.name,
          inputmode: f.kind === 'list' ? null : f.kind === 'int' ? 'numeric' : 'decimal',
          value: value === null || value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value),
          'aria-describedby': `${id}-hint`,
        }),
        h('p', { id: `${id}-hint`, class: 'hint' }, f.hint),
      );
    }),
  );
}

/**
 * The limits the form holds, as the admin API takes them. An empty field is null (no limit) when
 * editing, and left out when minting; numbers are sent as typed and the API names any it refuses.
 */
export function limitsOf(form: HTMLFormElement, emptyAs: 'null' | 'omit'): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const raw = (form.elements.namedItem(f.name) as HTMLInputElement).value.trim();
    if (raw === '') {
      if (emptyAs === 'null') body[f.name] = null;
      continue;
    }
    body[f.name] = f.kind === 'list' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : Number(raw);
  }
  return body;
}

export function limitsSummary(t: Limits): string {
  const parts = [
    t.max_concurrent_runs === null ? null : `${t.max_concurrent_runs} at once`,
    t.runs_per_minute === null ? null : `${t.runs_per_minute}/min`,
    t.budget_usd_day === null ? null : `$${t.budget_usd_day}/day`,
    t.budget_usd_month === null ? null : `$${t.budget_usd_month}/month`,
  ].filter((p) => p !== null);
  return parts.length === 0 ? 'none' : parts.join(', ');
}
