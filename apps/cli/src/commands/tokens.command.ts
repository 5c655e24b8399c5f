import { Command } from 'nest-commander';
import { CommandGroup } from './command-group';
import { TokensCreateCommand } from './tokens-create.command';
import { TokensListCommand } from './tokens-list.command';
import { TokensRevokeCommand } from './tokens-revoke.command';
import { TokensUpdateCommand } from './tokens-update.command';

@Command({ name: 'tokens', description: 'Mint, list, update and revoke app tokens', subCommands: [TokensCreateCommand, TokensListCommand, TokensUpdateCommand, TokensRevokeCommand] })
export class TokensCommand extends CommandGroup {}
