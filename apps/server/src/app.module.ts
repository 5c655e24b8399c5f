import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AdminModule } from '@clawdforge/admin';
import { AuditModule } from '@clawdforge/audit';
import { AuthModule, BearerTokenGuard, IpAllowlistGuard } from '@clawdforge/auth';
import { ClusterModule } from '@clawdforge/cluster';
import { CompatJsonBodyMiddleware, CompatModule } from '@clawdforge/compat';
import { ConsoleModule } from '@clawdforge/console';
import {
  ApiExceptionFilter,
  AppConfigModule,
  JsonBodyMiddleware,
  DatabaseModule,
  LoggingModule,
  QueryValidationPipe,
  validationExceptionFactory,
} from '@clawdforge/core';
import { FilesModule } from '@clawdforge/files';
import { HealthModule } from '@clawdforge/health';
import { MetricsModule } from '@clawdforge/metrics';
import { RunModule } from '@clawdforge/run';
import { RunnersModule } from '@clawdforge/runners';
import { SessionsModule } from '@clawdforge/sessions';
import { StartupReconciliation, SweeperModule, SweepSchedule } from '@clawdforge/sweeper';
import { ConfinementCheck } from './confinement-check';
import { MetricsGauges } from './metrics-gauges';

/** The HTTP composition root: every global pipe, filter and guard is a provider here, so tests get the same wiring. */
@Module({
  imports: [
    AppConfigModule.forRoot(),
    LoggingModule,
    DatabaseModule,
    ClusterModule,
    ScheduleModule.forRoot(),
    RunnersModule,
    AuthModule,
    AuditModule,
    HealthModule,
    MetricsModule,
    AdminModule,
    FilesModule,
    RunModule,
    CompatModule,
    SessionsModule,
    SweeperModule,
    ConsoleModule,
  ],
  providers: [
    ConfinementCheck,
    MetricsGauges,
    SweepSchedule,
    StartupReconciliation,
    { provide: APP_GUARD, useExisting: IpAllowlistGuard },
    { provide: APP_GUARD, useExisting: BearerTokenGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    {
      provide: APP_PIPE,
      useValue: new QueryValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        stopAtFirstError: true,
        exceptionFactory: validationExceptionFactory,
      }),
    },
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The audit hook and the IP check run before these, ahead of routing (configureApp).
    // The OpenAI and Anthropic routes read their own bodies: room for inline images, errors in their wire formats.
    consumer.apply(CompatJsonBodyMiddleware).forRoutes({ path: 'v1/chat/completions', method: RequestMethod.POST }, { path: 'v1/messages', method: RequestMethod.POST });
    // '/' is mounted with Express's use(), a prefix every path has: every request, with no pattern
    // to match and no wildcard to decode per request as '*' has.
    consumer.apply(JsonBodyMiddleware).forRoutes('/');
  }
}
