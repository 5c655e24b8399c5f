import { AuditEventView } from '@clawdforge/admin';
import { AuditEvent, AuditService } from '@clawdforge/audit';
import { InvalidRequestError, MAX_PAGE_SIZE } from '@clawdforge/core';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';
import { RowStream } from '../row-stream';

interface Options {
  token?: string;
  route?: string;
  limit?: number;
  follow?: boolean;
  json?: boolean;
}

const FOLLOW_POLL_MS = 1000;

/** Widths fit the common case (an ISO time, a short token name, a route pattern); longer cells push their row along. */
const COLUMNS = [
  { header: 'AT', width: 24 },
  { header: 'TOKEN', width: 16 },
  { header: 'METHOD', width: 6 },
  { header: 'ROUTE', width: 24 },
  { header: 'STATUS', width: 6, alignRight: true },
  { header: 'MS', width: 7, alignRight: true },
  { header: 'ERROR', width: 16 },
  { header: 'DETAIL', width: 0 },
];

@SubCommand({
  name: 'tail',
  description: 'Print the newest audit rows, oldest first; --follow keeps printing new ones as they are written; --json prints one JSON object per line',
})
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
      const table = new RowStream(this.printer, COLUMNS);
      const print = options.json ? (row: AuditEvent) => this.printer.json(AuditEventView.of(row)) : (row: AuditEvent) => table.row(cells(row));
      if (!options.json) table.header();
      const rows = (await this.audit.list({ ...filter, limit })).slice(0, limit).reverse();
      rows.forEach(print);
      if (!options.follow) return;
      // Rows print as they arrive, one line each, under the one header: output piped to a pager or a file reads as one table.
      let lastId = rows.at(-1)?.id ?? 0;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
        for (;;) {
          const fresh = await this.audit.listAfter(filter, lastId, MAX_PAGE_SIZE);
          fresh.forEach(print);
          lastId = fresh.at(-1)?.id ?? lastId;
          if (fresh.length < MAX_PAGE_SIZE) break;
        }
      }
    });
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

  @Option({ flags: '--json', description: 'One JSON object per line (the fields of GET /admin/audit) instead of a table' })
  parseJson(): boolean {
    return true;
  }
}

function cells(row: AuditEvent): string[] {
  const detail = [row.model, row.sessionId && `session=${row.sessionId}`, row.turnIndex !== null && `turn=${row.turnIndex}`, row.toolsRefused ? `tools_refused=${row.toolsRefused}` : null]
    .filter(Boolean)
    .join(' ');
  return [row.at.toISOString(), row.tokenName ?? '-', row.method, row.route, String(row.status), String(row.durationMs), row.errorCode ?? '-', detail];
}
