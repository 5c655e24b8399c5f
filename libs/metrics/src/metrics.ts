import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig, ERROR_CODES, MODEL_ALIASES, type ErrorCode } from '@clawdforge/core';

/** `ok`, or the error code the request was answered with. */
export type MetricOutcome = 'ok' | ErrorCode;

/** Tokens as far as the CLI reported them; a missing or null count is not recorded. */
export interface TokenCounts {
  input?: number | null;
  output?: number | null;
  cacheRead?: number | null;
  cacheCreation?: number | null;
}

export interface TurnFinished {
  /** The app token's name, never its value. */
  token: string;
  outcome: MetricOutcome;
  usage?: TokenCounts;
  costUsd?: number | null;
  toolsRefused?: number;
}

export interface RunFinished extends TurnFinished {
  /** As requested (an alias or a claude-… id), not as the CLI resolved it; labelled `other` when not the catalogue's. */
  model: string;
  /** From the request's arrival to its answer, time waiting in the queue included. */
  durationMs: number;
}

const GAUGE_HELP = {
  clawdforge_run_queue_depth: 'Runs waiting for a slot',
  clawdforge_runs_running: 'Runs holding a slot',
  clawdforge_cli_children: 'CLI child processes alive, warm spares included',
  clawdforge_warm_spares: 'claude processes started ahead of demand, waiting for a run',
  clawdforge_warm_session_clients: 'acpx prompt clients started ahead, one per open session, waiting for its next turn',
  clawdforge_sessions_open: 'Agent sessions open',
  clawdforge_tool_runs_running: '/v1 runs with client tools between a request and its answer',
  clawdforge_tool_runs_parked: '/v1 runs with client tools waiting for the client’s tool results',
} as const;

export type GaugeName = keyof typeof GAUGE_HELP;

const TOKEN_KINDS = { input: 'input', output: 'output', cacheRead: 'cache_read', cacheCreation: 'cache_creation' } as const;

// From a short answer to ten minutes; the rare longer run (timeout_secs allows an hour) counts in +Inf.
const RUN_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** The label of anything a client named that the server does not know by configuration. */
export const OTHER_LABEL = 'other';

/**
 * What the rest of the code records, by event rather than by metric, so no caller touches
 * prom-client. Its own registry, so two applications in one process (the tests) never share counts.
 *
 * Every label set is a series kept for the life of the process, so no label takes a value a client
 * chooses: a model is labelled by name only when it is the catalogue's (the CLI's aliases,
 * DEFAULT_MODEL, MODEL_ALLOWLIST and the models MODEL_ALIASES maps to), else `other`; an outcome
 * only when it is `ok` or an error code. Token names are the admin's, logins the configuration's.
 */
@Injectable()
export class Metrics {
  private readonly logger = new Logger(Metrics.name);
  private readonly registry = new Registry();
  private readonly runs = new Counter({ name: 'clawdforge_runs_total', help: 'Runs finished (POST /run and the /v1 routes)', labelNames: ['token', 'model', 'outcome'], registers: [this.registry] });
  private readonly runDuration = new Histogram({
    name: 'clawdforge_run_duration_seconds',
    help: 'Wall time of finished runs, time in the queue included',
    labelNames: ['token', 'model', 'outcome'],
    buckets: RUN_DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly turns = new Counter({ name: 'clawdforge_turns_total', help: 'Session turns finished', labelNames: ['token', 'outcome'], registers: [this.registry] });
  private readonly cost = new Counter({ name: 'clawdforge_cost_usd_total', help: 'Cost the CLI reported, in US dollars', labelNames: ['token'], registers: [this.registry] });
  private readonly tokensUsed = new Counter({ name: 'clawdforge_tokens_used_total', help: 'Model tokens the CLI reported', labelNames: ['token', 'kind'], registers: [this.registry] });
  private readonly toolsRefused = new Counter({ name: 'clawdforge_tools_refused_total', help: 'Tool calls refused to agents', labelNames: ['token'], registers: [this.registry] });

  private readonly catalogue: ReadonlySet<string>;

  constructor(config: AppConfig) {
    this.catalogue = new Set<string>([...MODEL_ALIASES, config.models.default, ...config.models.allowlist, ...Object.values(config.models.aliases)]);
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  runFinished(run: RunFinished): void {
    const labels = { token: run.token, model: this.catalogue.has(run.model) ? run.model : OTHER_LABEL, outcome: outcomeLabel(run.outcome) };
    this.runs.inc(labels);
    this.runDuration.observe(labels, run.durationMs / 1000);
    this.consumed(run);
  }

  turnFinished(turn: TurnFinished): void {
    this.turns.inc({ token: turn.token, outcome: outcomeLabel(turn.outcome) });
    this.consumed(turn);
  }

  /**
   * Gives a gauge its source, read at each scrape; the owner registers it, so this library needs
   * to know nothing of queues, processes or sessions. A source that fails leaves the last value.
   */
  gauge(name: GaugeName, collect: () => number | Promise<number>): void {
    const logger = this.logger;
    new Gauge({
      name,
      help: GAUGE_HELP[name],
      registers: [this.registry],
      async collect() {
        try {
          this.set(await collect());
        } catch (error) {
          logger.warn(`${name} not collected: ${(error as Error).message}`);
        }
      },
    });
  }

  /**
   * Gauges per Claude login (by label, never its directory), read at each scrape: runs in flight,
   * and 1 while it cools after a rate or usage limit.
   */
  loginGauges(collect: () => { label: string; runsInFlight: number; cooling: boolean }[]): void {
    new Gauge({
      name: 'clawdforge_login_runs_in_flight',
      help: 'Runs in flight on each Claude login',
      labelNames: ['login'],
      registers: [this.registry],
      collect() {
        for (const login of collect()) this.set({ login: login.label }, login.runsInFlight);
      },
    });
    new Gauge({
      name: 'clawdforge_login_cooling',
      help: 'Whether each Claude login is cooling after a rate or usage limit (1) or takes runs (0)',
      labelNames: ['login'],
      registers: [this.registry],
      collect() {
        for (const login of collect()) this.set({ login: login.label }, login.cooling ? 1 : 0);
      },
    });
  }

  /** The Prometheus text exposition of everything recorded. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private consumed({ token, usage = {}, costUsd, toolsRefused }: TurnFinished): void {
    for (const [field, kind] of Object.entries(TOKEN_KINDS) as [keyof TokenCounts, string][]) {
      addPositive(this.tokensUsed, { token, kind }, usage[field]);
    }
    addPositive(this.cost, { token }, costUsd);
    addPositive(this.toolsRefused, { token }, toolsRefused);
  }
}

function outcomeLabel(outcome: string): string {
  return outcome === 'ok' || Object.hasOwn(ERROR_CODES, outcome) ? outcome : OTHER_LABEL;
}

/** Counters only go up, and a sample of 0 for a label set nobody used is noise. */
function addPositive<L extends string>(counter: Counter<L>, labels: Record<L, string>, value: number | null | undefined): void {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) counter.inc(labels, value);
}
