import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino, stdSerializers, type Logger as PinoInstance } from 'pino';
import { AppConfig } from '../config/app-config';
import { currentRequestContext } from '../http/request-context';

/** Paths that can carry a credential in what the server logs; pino replaces them before a line is written. */
export const REDACTED_PATHS = ['token', '*.token'];

/** The pino instance every log line goes through; the request log and Nest's logger share it. */
export abstract class RootLogger {
  abstract readonly pino: PinoInstance;
}

/** Builds the one pino instance from the configuration. */
@Module({
  providers: [
    {
      provide: RootLogger,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RootLogger => ({
        pino: pino({
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          serializers: { err: stdSerializers.err },
          // A line written while a request is being served carries the request's id.
          mixin: () => {
            const requestId = currentRequestContext()?.requestId;
            return requestId ? { reqId: requestId } : {};
          },
          transport: process.env.NODE_ENV === 'development' ? { target: 'pino-pretty' } : undefined,
        }),
      }),
    },
  ],
  exports: [RootLogger],
})
class RootLoggerModule {}

/**
 * Nest's logger is pino, through nestjs-pino, with no per-request middleware: a request's lines
 * carry its id through pino's mixin, read from the request scope the server already keeps, and the
 * one line per request is written by the request log (request-log.ts) when the response ends.
 * pino-http's way (a child logger bound to the serialised request, for every request at every
 * level, inside a second async scope) was a fifth of a cheap request's cost.
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [RootLogger],
      useFactory: (root: RootLogger) => ({ pinoHttp: { logger: root.pino }, useExisting: true, forRoutes: [] }),
    }),
  ],
  exports: [RootLoggerModule],
})
export class LoggingModule {}
