import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { ProcessRunner } from '@clawdforge/runners';

/**
 * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then kills
 * any child processes still running and drops the remaining connections, and finally closes
 * the application (audit rows flushed before the database closes).
 */
export async function shutdownGracefully(app: INestApplication, graceMs: number, logger: LoggerService): Promise<void> {
  const server = app.getHttpServer() as Server;
  const drained = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const finishedInTime = await Promise.race([drained, expired]);
  clearTimeout(timer);
  if (!finishedInTime) {
    logger.warn?.(`requests still running after ${graceMs} ms; stopping them`);
    await app.get(ProcessRunner).shutdown();
    server.closeAllConnections();
  }
  await app.close();
}
