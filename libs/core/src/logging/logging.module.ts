import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination as pinoDestination, type DestinationStream, type Logger as PinoInstance, type LoggerOptions, pino, stdSerializers } from 'pino';
import { AppConfig } from '../config/app-config';

/** Paths that can carry a credential in what the server logs; pino replaces them before a line is written. */
export const REDACTED_PATHS = ['token', '*.token'];

/** The pino instance every log line goes through; the request log and Nest's logger share it. */
export abstract class RootLogger {
  abstract readonly pino: PinoInstance;
  /** Writes what is buffered now (the start-up lines, which whoever started the server waits for). */
  abstract flush(): void;
}

/** Lines wait at most this long in the buffer. */
const LOG_FLUSH_MS = 200;

/**
 * Standard output, written in blocks of up to 4 KiB at least every LOG_FLUSH_MS rather than one
 * write per line: a request's line cost a system call of its own. What is buffered is written when
 * the process exits (a signal, process.exit, an uncaught error); only a SIGKILL loses it.
 */
function bufferedStdout(): DestinationStream & { flushSync(): void } {
  const destination = pinoDestination({ dest: 1, minLength: 4096, sync: false });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      // still opening, or already closed at exit
    }
  }, LOG_FLUSH_MS).unref();
  return destination;
}

/** Builds the one pino instance from the configuration. */
@Module({
  providers: [
    {
      provide: RootLogger,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RootLogger => {
        const options: LoggerOptions = {
          level: config.server.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          serializers: { err: stdSerializers.err },
        };
        if (process.env.NODE_ENV === 'development') {
          const pretty = pino({ ...options, transport: { target: 'pino-pretty' } });
          return { pino: pretty, flush: () => pretty.flush() };
        }
        const stdout = bufferedStdout();
        return {
          pino: pino(options, stdout),
          flush: () => {
            try {
              stdout.flushSync();
            } catch {
              // not open yet, or closed at exit: the periodic flush or the exit handler writes it
            }
          },
        };
      },
    },
  ],
  exports: [RootLogger],
})
class RootLoggerModule {}

/**
 * Nest's logger is pino, through nestjs-pino, with no per-request middleware: what writes a line
 * for a request is handed the request's context and adds its id (requestLogFields), and the
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
