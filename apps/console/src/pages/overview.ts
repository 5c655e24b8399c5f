import { all, api, ApiFailure } from '../api';
import { card, h, table } from '../dom';
import { dayStart, int, monthStart, usd, when, yesNo } from '../format';
import { facts, PageDef, refreshing } from '../page';
import type { AuditRow, Health, TokenRow, UsageGroup } from '../types';

/** One gauge's value from the Prometheus text of /metrics, null when it is not there. */
function gauge(text: string, name: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
}

function budgetCell(spent: number, budget: number | null): Node {
  if (budget === null) return h('span', null, usd(spent));
  const over = spent >= budget;
  return h(
    'span',
    { class: over ? 'meter over' : 'meter' },
    h('meter', { min: 0, max: budget, value: Math.min(spent, budget), high: budget * 0.8, optimum: 0, 'aria-label': `${usd(spent)} of ${usd(budget)}` }),
    ` ${usd(spent)} of ${usd(budget)}`,
  );
}

async function adminOverview(): Promise<Node[]> {
  const hourAgo = new Date(Date.now() - 3600_000).toISOString();
  const [health, metrics, tokens, today, month, audit] = await Promise.all([
    api<Health>('/healthz'),
    api<string>('/metrics').catch((error: unknown) => (error instanceof ApiFailure ? '' : Promise.reject(error))),
    all<TokenRow>('/admin/tokens'),
    api<{ items: UsageGroup[] }>(`/admin/usage?group_by=token&limit=1000&since=${dayStart().toISOString()}`),
    api<{ items: UsageGroup[] }>(`/admin/usage?group_by=token&limit=1000&since=${monthStart().toISOString()}`),
    api<{ items: AuditRow[] }>(`/admin/audit?limit=1000&since=${encodeURIComponent(hourAgo)}`),
  ]);
  const spentBy = (groups: UsageGroup[]) => new Map(groups.map((g) => [g.token, g.cost_usd]));
  const dayBy = spentBy(today.items);
  const monthBy = spentBy(month.items);
  const live = tokens.filter((t) => t.revoked_at === null);
  const errors = audit.items.filter((row) => row.status >= 400);
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return [
    h(
      'div',
      { class: 'grid' },
      card(
        'Gateway',
        facts([
          ['Version', health.version],
          ['Database', health.db_ok ? 'answers' : 'DOWN'],
          ['claude', health.claude_present ? (health.claude_version ?? 'present') : 'MISSING'],
          ['acpx', health.acpx_present ? (health.acpx_version ?? 'present') : 'MISSING'],
          ['Audit rows not written', int(health.audit_write_failures)],
        ]),
      ),
      card(
        'Work now',
        facts([
          ['Runs running', int(gauge(metrics, 'clawdforge_runs_running'))],
          ['Runs queued', int(gauge(metrics, 'clawdforge_run_queue_depth'))],
          ['Sessions open', int(gauge(metrics, 'clawdforge_sessions_open'))],
          ['CLI processes', int(health.cli_children)],
          ['Warm spares', `${int(health.warm_pool.spares)} (${int(health.warm_pool.warm_runs)} warm / ${int(health.warm_pool.cold_runs)} cold runs)`],
        ]),
      ),
      card(
        'Spend',
        facts([
          ['Today (UTC)', usd(sum(dayBy))],
          ['This month', usd(sum(monthBy))],
          ['Live apps', int(live.length)],
          ['Errors, last hour', h('span', { class: errors.length > 0 ? 'bad' : 'good', 'data-errors-hour': errors.length }, int(errors.length))],
        ]),
      ),
    ),
    card(
      'Claude logins',
      h('p', null, health.claude_logged_in ? `Logged in (${health.claude_login?.method ?? 'unknown method'}${health.claude_login?.expires_at ? `, expires ${when(health.claude_login.expires_at)}` : ''})` : 'NOT logged in: runs answer 503 upstream_auth'),
      table(
        'Each login runs are spread over',
        ['Login', 'Logged in', 'Runs in flight', 'Cooling until'],
        health.claude_logins.map((l) => [l.label, yesNo(l.logged_in), int(l.runs_in_flight), l.cooling_until === null ? 'not cooling' : when(l.cooling_until)]),
      ),
    ),
    card(
      'Apps against their budgets',
      table(
        'Spend of each live app, today and this month (UTC)',
        ['App', 'Today', 'This month', 'Last used'],
        live.map((t) => [t.name, budgetCell(dayBy.get(t.name) ?? 0, t.budget_usd_day), budgetCell(monthBy.get(t.name) ?? 0, t.budget_usd_month), when(t.last_used_at)]),
      ),
    ),
    card(
      'Latest errors',
      table(
        'Failed requests of the last hour, newest first',
        ['Time', 'App', 'Request', 'Status', 'Code'],
        errors.slice(0, 8).map((row) => [when(row.at), row.token_name ?? '—', `${row.method} ${row.route}`, String(row.status), row.error_code ?? '—']),
        { class: 'errors' },
      ),
    ),
  ];
}

export const overviewPage: PageDef = {
  path: 'overview',
  title: 'Overview',
  roles: ['admin'],
  // Polling rather than a stream: every figure comes from a cheap read the API already documents,
  // a poll survives proxies and restarts without reconnect logic, and it stops while the tab is hidden.
  render: (root) => refreshing(root, adminOverview, 5000),
};
