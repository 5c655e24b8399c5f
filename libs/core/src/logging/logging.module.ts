import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { requestIdFor } from './request-id';

/** Header and body paths that can carry a credential; pino replaces them before a line is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'token',
  '*.token',
];

const TOKEN_LIKE = /\b(cf_[A-Za-z0-9_-]{20,}|sk-ant-[A-Za-z0-9_-]+)/g;

/** A token pasted into a URL (a path, a query) is a client's mistake the log should not keep. */
function scrubbed<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? null).replace(TOKEN_LIKE, '[redacted]')) as T;
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          genReqId: requestIdFor,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          serializers: { req: (req: Record<string, unknown>) => ({ ...req, url: scrubbed(req.url), query: scrubbed(req.query), params: scrubbed(req.params) }) },
          autoLogging: { ignore: (req) => req.url === '/healthz' },
          customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          transport: process.env.NODE_ENV === 'development' ? { target: 'pino-pretty' } : undefined,
        },
      }),
    }),
  ],
})
export class LoggingModule {}
