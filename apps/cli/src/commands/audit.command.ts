import { Command } from 'nest-commander';
import { CommandGroup } from './command-group';
import { AuditTailCommand } from './audit-tail.command';

@Command({ name: 'audit', description: 'Read the audit log', subCommands: [AuditTailCommand] })
export class AuditCommand extends CommandGroup {}
