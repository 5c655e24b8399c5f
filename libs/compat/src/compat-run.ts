import type { Request, Response } from 'express';
import type { TokenPrincipal } from '@clawdforge/auth';
import { clientGoneSignal, requestContext } from '@clawdforge/core';
import type { RunInput, RunOutcome, RunService } from '@clawdforge/run';
import { encodeConversation, ChatTurn } from './transcript';
import type { WireStream } from './wire-stream';
import { markRunStarted, WireFormat, wireError } from './wire-errors';

/** A client of these routes cannot say how long to wait; the SDKs themselves wait ten minutes. */
export const COMPAT_RUN_TIMEOUT_SECS = 600;

/** The run /run would do for the same request: the history encoded as one user message, the system text as the system prompt. */
/** What a wire-format body asks of a run, checked: the same for both formats. */
export interface WireRequest {
  /** The model of ours that will serve it (MODEL_ALIASES applied). */
  model: string;
  system?: string;
  turns: ChatTurn[];
  jsonSchema?: Record<string, unknown>;
  stream: boolean;
  /** The app's end user (OpenAI's `safety_identifier` or `user`, Anthropic's `metadata.user_id`): for the audit row only. */
  endUser?: string;
}

export function runInputOf(request: Omit<WireRequest, 'stream'>): RunInput {
  const { prompt, content } = encodeConversation(request.turns);
  return { prompt, content, model: request.model, system: request.system, json_schema: request.jsonSchema, timeout_secs: COMPAT_RUN_TIMEOUT_SECS };
}

/** What the run cost, for the client: the CLI's own figure (the ledger holds the same). */
export function setCostHeader(res: Response, outcome: RunOutcome): void {
  if (outcome.costUsd !== null) res.setHeader('x-clawdforge-cost-usd', String(outcome.costUsd));
}

/** How a wire format answers a run: the whole answer's body, or a stream it writes into. */
export interface WireAnswer {
  format: WireFormat;
  body: (outcome: RunOutcome) => unknown;
  stream: () => WireStream;
}

/**
 * One parsed request of a wire-format route, run as /run runs it (same policy, queue, ledger and
 * audit): answered whole with its cost in a header, or streamed as the model writes.
 */
export async function serveWireRun(runs: RunService, token: TokenPrincipal, request: WireRequest, req: Request, res: Response, answer: WireAnswer): Promise<void> {
  const context = requestContext(req);
  context.audit.endUser = request.endUser ?? null;
  const input = runInputOf(request);
  const signal = clientGoneSignal(res, context.audit);
  if (!request.stream) {
    const outcome = await runs.execute(token, input, context, signal, { started: () => markRunStarted(res) });
    setCostHeader(res, outcome);
    res.status(200).json(answer.body(outcome));
    return;
  }
  const stream = answer.stream();
  await streamRun(stream, req, res, answer.format, () =>
    runs.execute(token, input, context, signal, {
      started: () => {
        markRunStarted(res);
        stream.open();
      },
      event: (event) => stream.event(event),
    }),
  );
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
