import { AuditEvent, AuditService } from '@clawdforge/audit';
import { InvalidRequestError, MAX_PAGE_SIZE } from '@clawdforge/core';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';

interface Options {
  token?: string;
  route?: string;
  limit?: number;
  follow?: boolean;
}

const FOLLOW_POLL_MS = 1000;

@SubCommand({ name: 'tail', description: 'Print the newest audit rows, oldest first; --follow keeps printing new ones' })
export class AuditTailCommand extends CommandRunner {
  constructor(
    private readonly audit: AuditService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    await reportFailure(this.printer, async () => {
      const limit = options.limit ?? 20;
      const filter = { token: options.token, route: options.route };
      const rows = (await this.audit.list({ ...filter, limit })).slice(0, limit).reverse();
      for (const row of rows) this.print(row);
      if (!options.follow) return;
      let lastId = rows.at(-1)?.id ?? 0;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
        const fresh = (await this.audit.list({ ...filter, limit: MAX_PAGE_SIZE })).filter((row) => row.id > lastId).reverse();
        for (const row of fresh) this.print(row);
        lastId = fresh.at(-1)?.id ?? lastId;
      }
    });
  }

  private print(row: AuditEvent): void {
    const extra = [row.model, row.sessionId && `session=${row.sessionId}`, row.turnIndex !== null && `turn=${row.turnIndex}`].filter(Boolean).join(' ');
    this.printer.out(
      [row.at.toISOString(), row.tokenName ?? '-', row.method, row.route, String(row.status), `${row.durationMs}ms`, row.errorCode ?? '-', extra].join('  ').trimEnd(),
    );
  }

  @Option({ flags: '--token <name>', description: 'Only this token name' })
  parseToken(value: string): string {
    return value;
  }

  @Option({ flags: '--route <route>', description: 'Only this route pattern, e.g. /run' })
  parseRoute(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: `How many rows (1..${MAX_PAGE_SIZE}, default 20)` })
  parseLimit(value: string): number {
    const limit = Number(value);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new InvalidRequestError(`--limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`, 'limit');
    return limit;
  }

  @Option({ flags: '--follow', description: 'Keep printing new rows until interrupted' })
  parseFollow(): boolean {
    return true;
  }
}
