import type { Request, Response } from 'express';
import { requestContext } from '@clawdforge/core';
import type { RunInput, RunOutcome } from '@clawdforge/run';
import { encodeConversation, ChatTurn } from './transcript';
import { WireFormat, wireError } from './wire-errors';

/** A client of these routes cannot say how long to wait; the SDKs themselves wait ten minutes. */
export const COMPAT_RUN_TIMEOUT_SECS = 600;

/** The run /run would do for the same request: the history encoded as one user message, the system text as the system prompt. */
export function runInputOf(request: { model: string; system?: string; turns: ChatTurn[]; jsonSchema?: Record<string, unknown> }): RunInput {
  const { prompt, content } = encodeConversation(request.turns);
  return { prompt, content, model: request.model, system: request.system, json_schema: request.jsonSchema, timeout_secs: COMPAT_RUN_TIMEOUT_SECS };
}

/** What the run cost, for the client: the CLI's own figure (the ledger holds the same). */
export function setCostHeader(res: Response, outcome: RunOutcome): void {
  if (outcome.costUsd !== null) res.setHeader('x-clawdforge-cost-usd', String(outcome.costUsd));
}

interface WireStream {
  readonly opened: boolean;
  finish(outcome: RunOutcome): void;
  fail(body: unknown): void;
  end(): void;
}

/**
 * Runs `work` into a wire-format stream and closes it. A failure before the stream opened is thrown,
 * to be answered with a status by the route's filter; after that it becomes the format's error frame.
 */
export async function streamRun(stream: WireStream, req: Request, res: Response, format: WireFormat, work: () => Promise<RunOutcome>): Promise<void> {
  try {
    stream.finish(await work());
  } catch (error) {
    if (!stream.opened) throw error;
    const failure = wireError(error, req, res, format);
    requestContext(req).audit.errorCode ??= failure.code;
    stream.fail(failure.body);
  } finally {
    if (stream.opened) stream.end();
  }
}
