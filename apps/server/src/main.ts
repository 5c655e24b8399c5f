import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { AddressInfo } from 'node:net';
import { AppConfig, ConfigError, RootLogger } from '@clawdforge/core';
import { InstanceRegistry } from '@clawdforge/cluster';
import { AppModule } from './app.module';
import { configureApp } from './configure-app';
import { RouteIndexedExpressAdapter } from './route-index';
import { shutdownGracefully } from './graceful-shutdown';

function configErrorIn(error: unknown): ConfigError | undefined {
  for (let e = error; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    if (e instanceof ConfigError) return e;
  }
  return undefined;
}

async function bootstrap(): Promise<void> {
  let app: NestExpressApplication;
  try {
    // Logs stay buffered until pino takes over, so a bad configuration prints one line, not a trace.
    app = await NestFactory.create<NestExpressApplication>(AppModule, new RouteIndexedExpressAdapter(), {
      bufferLogs: true,
      autoFlushLogs: false,
      abortOnError: false,
      bodyParser: false,
    });
  } catch (error) {
    const configError = configErrorIn(error);
    process.stderr.write(`clawdforge: ${configError ? configError.message : `failed to start: ${(error as Error).message}`}\n`);
    process.exit(1);
  }
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  configureApp(app);
  const config = app.get(AppConfig);
  for (const warning of config.warnings) logger.warn(warning);
  await app.listen(config.server.port, config.server.host);
  logger.log(`clawdforge listening on ${config.server.host}:${config.server.port}`);
  // Whoever started the server reads these lines as soon as it answers: not left in the log's buffer.
  const root = app.get(RootLogger);
  root.flush();
  const instances = app.get(InstanceRegistry);
  await instances.announce((app.getHttpServer().address() as AddressInfo).port);
  if (instances.url !== null) logger.log(`other instances forward this one's sessions to ${instances.url}`);
  root.flush();

  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal}: shutting down`);
      shutdownGracefully(app, config.server.shutdownGraceSecs * 1000, logger).then(
        () => {
          logger.log('clawdforge stopped');
          process.exit(0);
        },
        (error: Error) => {
          logger.error(`shutdown failed: ${error.message}`);
          process.exit(1);
        },
      );
    });
  }
}

void bootstrap();
