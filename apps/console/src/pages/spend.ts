import { all } from '../api';
import { csvButton, legend, stackedBars } from '../chart';
import { card, fill, h, table } from '../dom';
import { dayStart, int, usd } from '../format';
import { PageDef, problem } from '../page';
import type { TokenRow, UsageGroup } from '../types';

const DAYS = 30;

const CSV_HEAD = ['runs', 'turns', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cost_usd'] as const;
const csvRow = (g: UsageGroup) => CSV_HEAD.map((k) => g[k]);

function days(since: Date): string[] {
  return Array.from({ length: DAYS }, (_, i) => new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10));
}

async function spend(app: string, tokens: TokenRow[]): Promise<Node[]> {
  const since = new Date(dayStart().getTime() - (DAYS - 1) * 86_400_000);
  const only = app === '' ? '' : `&token=${encodeURIComponent(app)}`;
  const [perDay, perModel] = await Promise.all([
    all<UsageGroup>(`/admin/usage?group_by=day&since=${since.toISOString()}${only}`),
    all<UsageGroup>(`/admin/usage?group_by=model&since=${since.toISOString()}${only}`),
  ]);
  const apps = [...new Set(perDay.map((g) => g.token))].sort();
  const dayList = days(since);
  const cost = new Map(perDay.map((g) => [`${g.day}|${g.token}`, g.cost_usd]));
  const stacks = dayList.map((day) => ({ label: day, tick: day.slice(5), parts: apps.map((a) => ({ series: a, value: cost.get(`${day}|${a}`) ?? 0 })) }));
  const total = perDay.reduce((a, g) => a + g.cost_usd, 0);
  const budget = tokens.find((t) => t.name === app && t.revoked_at === null)?.budget_usd_day ?? null;

  const models = new Map<string, UsageGroup>();
  for (const g of perModel) {
    const key = g.model ?? 'unknown';
    const m = models.get(key) ?? { token: '', model: key, runs: 0, turns: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cost_usd: 0 };
    for (const k of CSV_HEAD) m[k] += g[k];
    models.set(key, m);
  }
  const modelRows = [...models.values()].sort((a, b) => b.cost_usd - a.cost_usd);
  const title = `Spend per ${app === '' ? 'app' : app} per UTC day, last ${DAYS} days: ${usd(total)} in all`;
  return [
    card(
      'Spend per app per day',
      h('p', { class: 'total', 'data-total': total }, title),
      h('div', { class: 'chart' }, stackedBars(title, stacks, apps, usd, budget === null ? undefined : { value: budget, label: `daily budget ${usd(budget)}` })),
      legend(apps),
      h('div', { class: 'actions' }, csvButton('Download spend per day (CSV)', `spend-per-day-${dayList[0]}.csv`, [['day', 'app', ...CSV_HEAD], ...perDay.map((g) => [g.day ?? '', g.token, ...csvRow(g)])])),
      table(
        'Spend per day and app (USD); days with none left out',
        ['Day', ...apps, 'Total'],
        dayList
          .filter((d) => apps.some((a) => cost.has(`${d}|${a}`)))
          .reverse()
          .map((d) => [d, ...apps.map((a) => usd(cost.get(`${d}|${a}`) ?? 0)), usd(apps.reduce((s, a) => s + (cost.get(`${d}|${a}`) ?? 0), 0))]),
        { class: 'per-day' },
      ),
    ),
    card(
      'Runs and tokens per model',
      h('div', { class: 'chart' }, stackedBars(`Runs per model, last ${DAYS} days`, modelRows.map((m) => ({ label: m.model ?? 'unknown', parts: [{ series: 'runs', value: m.runs + m.turns }] })), ['runs'], (n) => n.toFixed(0))),
      h('div', { class: 'actions' }, csvButton('Download per model (CSV)', `usage-per-model-${dayList[0]}.csv`, [['model', ...CSV_HEAD], ...modelRows.map((m) => [m.model ?? '', ...csvRow(m)])])),
      table(
        `Use per model, last ${DAYS} days`,
        ['Model', 'Runs', 'Turns', 'Input tokens', 'Output tokens', 'Cache reads', 'Spend'],
        modelRows.map((m) => [m.model ?? '—', int(m.runs), int(m.turns), int(m.input_tokens), int(m.output_tokens), int(m.cache_read_tokens), usd(m.cost_usd)]),
        { class: 'per-model' },
      ),
    ),
  ];
}

export const spendPage: PageDef = {
  path: 'spend',
  title: 'Spend',
  roles: ['admin'],
  render(root) {
    const view = h('div');
    const select = h('select', { id: 'spend-app' }, h('option', { value: '' }, 'every app'));
    let tokens: TokenRow[] = [];
    const draw = () => {
      fill(view, h('p', { class: 'refresh' }, 'Loading…'));
      spend(select.value, tokens).then(
        (nodes) => fill(view, nodes),
        (error: unknown) => fill(view, problem(error)),
      );
    };
    select.addEventListener('change', draw);
    fill(root, h('div', { class: 'card' }, h('label', { for: 'spend-app' }, 'App'), select, h('p', { class: 'hint' }, 'One app shows its daily budget as a line, where it has one.')), view);
    all<TokenRow>('/admin/tokens').then(
      (list) => {
        tokens = list;
        for (const name of [...new Set(list.map((t) => t.name))]) select.appendChild(h('option', { value: name }, name));
        draw();
      },
      (error: unknown) => fill(view, problem(error)),
    );
    return () => undefined;
  },
};
