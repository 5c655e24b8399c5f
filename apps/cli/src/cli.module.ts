import { Module } from '@nestjs/common';
import { AuditModule } from '@clawdforge/audit';
import { AuthModule } from '@clawdforge/auth';
import { ClusterModule } from '@clawdforge/cluster';
import { AppConfigModule, DatabaseModule } from '@clawdforge/core';
import { FilesModule } from '@clawdforge/files';
import { RunnersModule } from '@clawdforge/runners';
import { SessionsModule } from '@clawdforge/sessions';
import { SweeperModule } from '@clawdforge/sweeper';
import { UsageModule } from '@clawdforge/usage';
import { CliPrinter } from './cli-printer';
import { AuditTailCommand } from './commands/audit-tail.command';
import { AuditCommand } from './commands/audit.command';
import { DoctorCommand } from './commands/doctor.command';
import { FilesListCommand } from './commands/files-list.command';
import { FilesCommand } from './commands/files.command';
import { SessionsCloseCommand } from './commands/sessions-close.command';
import { SessionsListCommand } from './commands/sessions-list.command';
import { SessionsCommand } from './commands/sessions.command';
import { SweepCommand } from './commands/sweep.command';
import { TokensCreateCommand } from './commands/tokens-create.command';
import { TokensListCommand } from './commands/tokens-list.command';
import { TokensRevokeCommand } from './commands/tokens-revoke.command';
import { TokensUpdateCommand } from './commands/tokens-update.command';
import { UsageCommand } from './commands/usage.command';
import { TokensCommand } from './commands/tokens.command';

/**
 * The admin CLI's root: the same feature libraries and database as the server, none of its HTTP
 * parts, no schedule and no start-up reconciliation (the server may be running alongside).
 */
@Module({
  imports: [AppConfigModule.forRoot({ adminTokenRequired: false }), DatabaseModule, ClusterModule, RunnersModule, AuthModule, AuditModule, FilesModule, SessionsModule, SweeperModule, UsageModule],
  providers: [
    CliPrinter,
    TokensCommand,
    TokensCreateCommand,
    TokensListCommand,
    TokensRevokeCommand,
    TokensUpdateCommand,
    UsageCommand,
    AuditCommand,
    AuditTailCommand,
    SessionsCommand,
    SessionsListCommand,
    SessionsCloseCommand,
    FilesCommand,
    FilesListCommand,
    SweepCommand,
    DoctorCommand,
  ],
})
export class CliModule {}
