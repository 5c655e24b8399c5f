import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { RunQueue } from '@clawdforge/run';
import { AcpxDriver, ClaudeWarmPool, ProcessRunner } from '@clawdforge/runners';

/** After their children are stopped, how long requests get to send their error answer. */
const ANSWER_AFTER_KILL_MS = 1000;
/** How long agent turns still running at the end of the grace get for `acpx cancel`. */
const CANCEL_TURNS_MS = 5000;

/**
 * Stops accepting connections, retires the warm spares, lets in-flight requests finish for up to `graceMs`, then refuses
 * the runs still queued, cancels agent turns still running (an agent outlives its acpx client, so
 * it must be told to stop), stops any child processes still running, lets their requests answer,
 * drops what remains, and finally closes the application (audit rows flushed before the database
 * closes, those of dropped connections included).
 */
export async function shutdownGracefully(app: INestApplication, graceMs: number, logger: LoggerService): Promise<void> {
  const server = app.getHttpServer() as Server;
  const drained = new Promise<true>((resolve) => server.close(() => resolve(true)));
  // Spares serve no one now: retired at once, and the runs and turns still to come start their own.
  await Promise.all([app.get(ClaudeWarmPool).close(), app.get(AcpxDriver).retireSpares()]);
  if (!(await within(drained, graceMs))) {
    logger.warn?.(`requests still running after ${graceMs} ms; stopping them`);
    app.get(RunQueue, { strict: false }).close();
    await app.get(AcpxDriver).cancelTurnsInFlight(CANCEL_TURNS_MS);
    await app.get(ProcessRunner).shutdown();
    if (!(await within(drained, ANSWER_AFTER_KILL_MS))) {
      server.closeAllConnections();
      // A dropped connection records its audit row from its 'close' event: let those run first.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await app.close();
}

async function within(done: Promise<true>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([done, expired]);
  clearTimeout(timer);
  return result;
}
