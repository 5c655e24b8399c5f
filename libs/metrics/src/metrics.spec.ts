import { Logger } from '@nestjs/common';
import type { AppConfig } from '@clawdforge/core';
import { Metrics } from './metrics';

/** The configuration the metrics read: which models are the catalogue's. */
const config = { models: { default: 'sonnet', allowlist: [], aliases: { 'gpt-4o': 'opus' } } } as unknown as AppConfig;

/** The sample lines of one metric, without HELP and TYPE. */
async function samples(metrics: Metrics, name: string): Promise<string[]> {
  return (await metrics.scrape()).split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('Metrics', () => {
  it('keeps its counts to itself: two instances never share a registry', async () => {
    const a = new Metrics(config);
    const b = new Metrics(config);
    a.turnFinished({ token: 'alice', outcome: 'ok' });
    expect(await samples(a, 'clawdforge_turns_total')).toEqual(['clawdforge_turns_total{token="alice",outcome="ok"} 1']);
    expect(await samples(b, 'clawdforge_turns_total')).toEqual([]);
  });

  it('records only the counts the CLI reported, and never a negative one', async () => {
    const metrics = new Metrics(config);
    metrics.turnFinished({ token: 'alice', outcome: 'session_lost', usage: { input: null, output: -3, cacheRead: 4, cacheCreation: Number.NaN }, costUsd: null, toolsRefused: 0 });
    expect(await samples(metrics, 'clawdforge_tokens_used_total')).toEqual(['clawdforge_tokens_used_total{token="alice",kind="cache_read"} 4']);
    expect(await samples(metrics, 'clawdforge_cost_usd_total')).toEqual([]);
    expect(await samples(metrics, 'clawdforge_tools_refused_total')).toEqual([]);
  });

  it('labels a model outside the catalogue, and an outcome that is no error code, as "other"', async () => {
    const metrics = new Metrics({ models: { ...config.models, allowlist: ['claude-sonnet-4-5'] } } as AppConfig);
    for (let i = 0; i < 1000; i++) metrics.runFinished({ token: 'alice', model: `claude-x-${i}`, outcome: 'ok', durationMs: 10 });
    metrics.runFinished({ token: 'alice', model: 'claude-sonnet-4-5', outcome: 'ok', durationMs: 10 });
    metrics.runFinished({ token: 'alice', model: 'opus', outcome: 'timeout', durationMs: 10 });
    metrics.runFinished({ token: 'alice', model: 'haiku', outcome: 'made_up_code' as never, durationMs: 10 });
    metrics.turnFinished({ token: 'alice', outcome: 'something else' as never });
    expect(await samples(metrics, 'clawdforge_runs_total')).toEqual([
      'clawdforge_runs_total{token="alice",model="other",outcome="ok"} 1000',
      'clawdforge_runs_total{token="alice",model="claude-sonnet-4-5",outcome="ok"} 1',
      'clawdforge_runs_total{token="alice",model="opus",outcome="timeout"} 1',
      'clawdforge_runs_total{token="alice",model="haiku",outcome="other"} 1',
    ]);
    expect(await samples(metrics, 'clawdforge_turns_total')).toEqual(['clawdforge_turns_total{token="alice",outcome="other"} 1']);
  });

  it('reads a gauge from its source at each scrape, keeping the last value when the source fails', async () => {
    const metrics = new Metrics(config);
    let depth: number | Error = 3;
    metrics.gauge('clawdforge_run_queue_depth', async () => {
      if (depth instanceof Error) throw depth;
      return depth;
    });
    expect(await samples(metrics, 'clawdforge_run_queue_depth')).toEqual(['clawdforge_run_queue_depth 3']);
    depth = 5;
    expect(await samples(metrics, 'clawdforge_run_queue_depth')).toEqual(['clawdforge_run_queue_depth 5']);
    depth = new Error('database is locked');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    expect(await samples(metrics, 'clawdforge_run_queue_depth')).toEqual(['clawdforge_run_queue_depth 5']);
    expect(warn).toHaveBeenCalledWith('clawdforge_run_queue_depth not collected: database is locked');
    warn.mockRestore();
  });
});
