import { TokensService } from '@clawdforge/auth';
import { MAX_PAGE_SIZE } from '@clawdforge/core';
import { FilesService } from '@clawdforge/files';
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

  async run(_args: string[], options: { token?: string }): Promise<void> {
    await reportFailure(this.printer, async () => {
      const owners = await ownersNamed(this.tokens, options.token);
      const names = await this.tokens.namesById();
      const rows = await this.files.listAll(MAX_PAGE_SIZE, owners);
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
}
