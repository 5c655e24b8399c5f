import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyModule } from '@clawdforge/idempotency';
import { RunnersModule } from '@clawdforge/runners';
import { UsageModule } from '@clawdforge/usage';
import { AgentSession } from './agent-session.entity';
import { SessionAdmission } from './session-admission';
import { SessionTurns } from './session-turns';
import { SessionWorkspace } from './session-workspace';
import { SessionRepository } from './session.repository';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [TypeOrmModule.forFeature([AgentSession]), RunnersModule, UsageModule, IdempotencyModule],
  providers: [SessionRepository, SessionAdmission, SessionTurns, SessionWorkspace, SessionsService],
  controllers: [SessionsController],
  exports: [SessionsService],
})
export class SessionsModule {}
