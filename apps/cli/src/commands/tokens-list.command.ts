import { TokenView } from '@clawdforge/admin';
import { TokensService } from '@clawdforge/auth';
import { MAX_PAGE_SIZE } from '@clawdforge/core';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';

@SubCommand({ name: 'list', description: 'List app tokens, live and revoked' })
export class TokensListCommand extends CommandRunner {
  constructor(
    private readonly tokens: TokensService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run(_args: string[], options: { json?: boolean }): Promise<void> {
    await reportFailure(this.printer, async () => {
      const rows = (await this.tokens.list(MAX_PAGE_SIZE * 100)).map(TokenView.of);
      if (options.json) return this.printer.json(rows);
      this.printer.table(
        ['NAME', 'STATUS', 'IP_CIDRS', 'LIMITS', 'CREATED', 'LAST_USED'],
        rows.map((row) => [row.name, row.revoked_at ? 'revoked' : 'live', row.ip_cidrs?.join(',') ?? '-', limits(row), row.created_at, row.last_used_at ?? '-']),
      );
    });
  }

  @Option({ flags: '--json', description: 'Print JSON (the fields of GET /admin/tokens) instead of a table' })
  parseJson(): boolean {
    return true;
  }
}

/** The limits a token has, shortly: `models=haiku rpm=30 day=$5`. */
function limits(token: TokenView): string {
  const said = [
    token.models && `models=${token.models.join(',')}`,
    token.max_concurrent_runs !== null && `concurrent=${token.max_concurrent_runs}`,
    token.runs_per_minute !== null && `rpm=${token.runs_per_minute}`,
    token.budget_usd_day !== null && `day=$${token.budget_usd_day}`,
    token.budget_usd_month !== null && `month=$${token.budget_usd_month}`,
  ].filter(Boolean);
  return said.length > 0 ? said.join(' ') : '-';
}
