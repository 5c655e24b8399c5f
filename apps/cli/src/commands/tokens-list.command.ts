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
      const rows = (await this.tokens.list(MAX_PAGE_SIZE * 100)).map((token) => ({
        name: token.name,
        ip_cidrs: token.ipCidrs,
        created_at: token.createdAt.toISOString(),
        last_used_at: token.lastUsedAt?.toISOString() ?? null,
        revoked_at: token.revokedAt?.toISOString() ?? null,
      }));
      if (options.json) return this.printer.out(JSON.stringify(rows));
      this.printer.table(
        ['NAME', 'STATUS', 'IP_CIDRS', 'CREATED', 'LAST_USED'],
        rows.map((row) => [row.name, row.revoked_at ? 'revoked' : 'live', row.ip_cidrs?.join(',') ?? '-', row.created_at, row.last_used_at ?? '-']),
      );
    });
  }

  @Option({ flags: '--json', description: 'Print JSON instead of a table' })
  parseJson(): boolean {
    return true;
  }
}
