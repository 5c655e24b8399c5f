import { TokensService } from '@clawdforge/auth';
import { MAX_PAGE_SIZE } from '@clawdforge/core';
import { SessionsService, SessionView } from '@clawdforge/sessions';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';
import { ownersNamed } from './owner-filter';

@SubCommand({ name: 'list', description: 'List agent sessions, newest first' })
export class SessionsListCommand extends CommandRunner {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run(_args: string[], options: { token?: string; json?: boolean }): Promise<void> {
    await reportFailure(this.printer, async () => {
      const owners = await ownersNamed(this.tokens, options.token);
      const names = await this.tokens.namesById();
      const rows = await this.sessions.listAll(MAX_PAGE_SIZE, owners);
      if (options.json) return this.printer.json(rows.map((s) => ({ token: names.get(s.ownerTokenId) ?? null, ...SessionView.of(s, this.sessions.isBusy(s)) })));
      this.printer.table(
        ['SESSION', 'TOKEN', 'AGENT', 'MODEL', 'STATUS', 'TURNS', 'LAST_ACTIVITY'],
        rows.map((s) => [s.id, names.get(s.ownerTokenId) ?? '?', s.agent, s.model, s.status, String(s.turnCount), s.lastActivityAt.toISOString()]),
      );
    });
  }

  @Option({ flags: '--token <name>', description: 'Only sessions of this token name' })
  parseToken(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'Print JSON (the fields of GET /sessions, and the token name) instead of a table' })
  parseJson(): boolean {
    return true;
  }
}
