import type { Request, Response } from 'express';
import type { TokenPrincipal } from '@clawdforge/auth';
import { clientGoneSignal, requestContext } from '@clawdforge/core';
import type { RunInput, RunOutcome, RunService, ToolAnswer } from '@clawdforge/run';
import type { ToolCatalog } from '@clawdforge/tools';
import type { ToolContinuation } from './tool-turns';
import { encodeConversation, ChatTurn } from './transcript';
import type { WireStream } from './wire-stream';
import { markRunStarted, WireFormat, wireError } from './wire-errors';

/** A client of these routes cannot say how long to wait; the SDKs themselves wait ten minutes. */
export const COMPAT_RUN_TIMEOUT_SECS = 600;

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
  /** The client's tools, when the model may call them. */
  tools?: ToolCatalog;
  /** When the history ends with the results of the assistant's last tool calls. */
  continuation?: ToolContinuation;
}

export function runInputOf(request: Pick<WireRequest, 'turns' | 'model' | 'system' | 'jsonSchema'>): RunInput {
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
  /** The body of an answer that calls the client's tools. */
  calls: (answer: ToolCallsAnswer) => unknown;
}

/** A tool run's answer that calls the client's tools. */
export type ToolCallsAnswer = Extract<ToolAnswer, { kind: 'tool_calls' }>;

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
  await streamRun(stream, req, res, answer.format, async () =>
    stream.finish(
      await runs.execute(token, input, context, signal, {
        started: () => {
          markRunStarted(res);
          stream.open();
        },
        event: (event) => stream.event(event),
      }),
    ),
  );
}

/**
 * Runs `work` (which ends by finishing the stream) into a wire-format stream and closes it. A failure
 * before the stream opened is thrown, to be answered with a status by the route's filter; after that
 * it becomes the format's error frame.
 */
export async function streamRun(stream: WireStream, req: Request, res: Response, format: WireFormat, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!stream.opened) throw error;
    const failure = wireError(error, req, res, format);
    requestContext(req).audit.errorCode ??= failure.code;
    stream.fail(failure.body);
  } finally {
    if (stream.opened) stream.end();
  }
}
