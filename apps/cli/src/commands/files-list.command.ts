import { TokensService } from '@clawdforge/auth';
import { MAX_PAGE_SIZE } from '@clawdforge/core';
import { FilesService, StoredFileView } from '@clawdforge/files';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';
import { ownersNamed } from './owner-filter';

@SubCommand({ name: 'list', description: 'List unexpired uploaded files, newest first' })
export class FilesListCommand extends CommandRunner {
  constructor(
    private readonly files: FilesService,
    private readonly tokens: TokensService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run(_args: string[], options: { token?: string; json?: boolean }): Promise<void> {
    await reportFailure(this.printer, async () => {
      const owners = await ownersNamed(this.tokens, options.token);
      const names = await this.tokens.namesById();
      const rows = await this.files.listAll(MAX_PAGE_SIZE, owners);
      if (options.json) return this.printer.json(rows.map((f) => ({ token: names.get(f.ownerTokenId) ?? null, ...StoredFileView.of(f) })));
      this.printer.table(
        ['FILE_TOKEN', 'TOKEN', 'NAME', 'TYPE', 'SIZE', 'EXPIRES'],
        rows.map((f) => [f.fileToken, names.get(f.ownerTokenId) ?? '?', f.originalName, f.mediaType, String(f.size), f.expiresAt.toISOString()]),
      );
    });
  }

  @Option({ flags: '--token <name>', description: 'Only files of this token name' })
  parseToken(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'Print JSON (the fields of GET /files, and the token name) instead of a table' })
  parseJson(): boolean {
    return true;
  }
}
