import { Command } from 'nest-commander';
import { CommandGroup } from './command-group';
import { SessionsCloseCommand } from './sessions-close.command';
import { SessionsListCommand } from './sessions-list.command';

@Command({ name: 'sessions', description: 'List and close agent sessions', subCommands: [SessionsListCommand, SessionsCloseCommand] })
export class SessionsCommand extends CommandGroup {}
