import { api } from '../api';
import { card, h, table } from '../dom';
import { int, usd } from '../format';
import { facts, PageDef, refreshing } from '../page';
import type { OwnUsage, UsageTotals } from '../types';

const row = (period: string, t: UsageTotals): (string | number)[] => [period, usd(t.cost_usd), int(t.runs), int(t.turns), int(t.input_tokens), int(t.output_tokens)];

async function ownUsage(): Promise<Node[]> {
  const usage = await api<OwnUsage>('/usage');
  const limit = (n: number | null, unit = '') => (n === null ? 'none' : `${n}${unit}`);
  return [
    card(
      `Usage of ${usage.token}`,
      table('Spend and use, UTC', ['Period', 'Spend', 'Runs', 'Turns', 'Input tokens', 'Output tokens'], [row('Today', usage.today), row('This month', usage.month)]),
    ),
    card(
      'Limits',
      facts([
        ['Models', usage.limits.models === null ? 'any allowed' : usage.limits.models.join(', ')],
        ['Runs at once', limit(usage.limits.max_concurrent_runs)],
        ['Runs per minute', limit(usage.limits.runs_per_minute)],
        ['Budget per day', usage.limits.budget_usd_day === null ? 'none' : `${usd(usage.limits.budget_usd_day)} (${usd(usage.budget_left_day)} left)`],
        ['Budget per month', usage.limits.budget_usd_month === null ? 'none' : `${usd(usage.limits.budget_usd_month)} (${usd(usage.budget_left_month)} left)`],
      ]),
      h('p', { class: 'hint' }, 'This view shows only what this app token may see: its own usage, runs, sessions and files.'),
    ),
  ];
}

export const ownUsagePage: PageDef = {
  path: 'usage',
  title: 'My usage',
  roles: ['app'],
  render: (root) => refreshing(root, ownUsage, 5000),
};
