import { Command } from 'nest-commander';
import { CommandGroup } from './command-group';
import { FilesListCommand } from './files-list.command';

@Command({ name: 'files', description: 'List uploaded files', subCommands: [FilesListCommand] })
export class FilesCommand extends CommandGroup {}
