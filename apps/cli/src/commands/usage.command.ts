import { Clock } from '@clawdforge/core';
import { UsageGrouping, UsageRepository } from '@clawdforge/usage';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';

interface Options {
  token?: string;
  since?: string;
  until?: string;
  groupBy?: UsageGrouping;
  json?: boolean;
}

@Command({ name: 'usage', description: 'Usage and cost from the ledger, per token (or per day or model); default: this UTC month' })
export class UsageCommand extends CommandRunner {
  constructor(
    private readonly ledger: UsageRepository,
    private readonly clock: Clock,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    await reportFailure(this.printer, async () => {
      const now = this.clock.now();
      const since = options.since ? new Date(options.since) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
      const until = options.until ? new Date(options.until) : undefined;
      const groups = await this.ledger.report({ token: options.token, since, until, groupBy: options.groupBy ?? 'token', offset: 0, limit: 100_000 });
      if (options.json) return this.printer.json(groups);
      this.printer.table(
        ['TOKEN', 'DAY', 'MODEL', 'RUNS', 'TURNS', 'INPUT', 'OUTPUT', 'CACHE_READ', 'COST_USD'],
        groups.map((g) => [g.token, g.day ?? '-', g.model ?? '-', String(g.runs), String(g.turns), String(g.input_tokens), String(g.output_tokens), String(g.cache_read_tokens), g.cost_usd.toFixed(4)]),
      );
    });
  }

  @Option({ flags: '--token <name>', description: 'Only this token name' })
  parseToken(value: string): string {
    return value;
  }

  @Option({ flags: '--since <iso>', description: 'From this ISO-8601 time (default: the start of this UTC month)' })
  parseSince(value: string): string {
    return value;
  }

  @Option({ flags: '--until <iso>', description: 'Until this ISO-8601 time (exclusive)' })
  parseUntil(value: string): string {
    return value;
  }

  @Option({ flags: '--group-by <what>', description: 'token (default), day or model', choices: ['token', 'day', 'model'] })
  parseGroupBy(value: UsageGrouping): UsageGrouping {
    return value;
  }

  @Option({ flags: '--json', description: 'Print JSON instead of a table' })
  parseJson(): boolean {
    return true;
  }
}
