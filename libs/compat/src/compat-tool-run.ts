import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { TokenPrincipal } from '@clawdforge/auth';
import { OwnerForwarder } from '@clawdforge/cluster';
import { clientGoneSignal, requestContext } from '@clawdforge/core';
import type { ToolRun } from '@clawdforge/tools';
import { RunProgress, RunService, ToolAnswer, ToolRunService } from '@clawdforge/run';
import { runInputOf, serveWireRun, setCostHeader, streamRun, WireAnswer, WireRequest } from './compat-run';
import { historyDigest } from './tool-turns';
import { markRunStarted } from './wire-errors';

/** Says how a request carrying tool results was served: by the run that waited for them, or afresh with the whole history. */
export const TOOL_RESUME_HEADER = 'x-clawdforge-tool-resume';

/**
 * One request of a wire-format route, whatever it carries. With the client's tools, or with the
 * results of tool calls, it is a tool run's: a continuation goes to the parked run that waits for
 * exactly these results (this token's, with this history), on this instance or, forwarded, on the
 * one that holds it; any other is run afresh with the whole history, tool calls and results
 * included (`x-clawdforge-tool-resume: replayed`), so the answer is the same, only slower. Without
 * either, it is a plain run.
 */
@Injectable()
export class WireRuns {
  constructor(
    private readonly runs: RunService,
    private readonly toolRuns: ToolRunService,
    private readonly forwarder: OwnerForwarder,
  ) {}

  async serve(token: TokenPrincipal, request: WireRequest, req: Request, res: Response, answer: WireAnswer): Promise<void> {
    const continuation = request.continuation;
    const parked = continuation && this.toolRuns.claim(token, continuation.ids, historyDigest(request, continuation.prefix));
    if (continuation && !parked && this.forwarder.mayForward(req)) {
      // Parked on another instance: its claude waits for these results there. Unreachable, it is replayed here.
      const holder = await this.toolRuns.holder(token, continuation.ids);
      if (holder !== null && (await this.forwarder.forward(req, res, holder))) return;
    }
    return serveWire(this.runs, this.toolRuns, token, request, parked || undefined, req, res, answer);
  }
}

async function serveWire(
  runs: RunService,
  toolRuns: ToolRunService,
  token: TokenPrincipal,
  request: WireRequest,
  parked: ToolRun | undefined,
  req: Request,
  res: Response,
  answer: WireAnswer,
): Promise<void> {
  const continuation = request.continuation;
  if (continuation) res.setHeader(TOOL_RESUME_HEADER, parked ? 'parked' : 'replayed');
  if (request.tools === undefined && !parked) return serveWireRun(runs, token, request, req, res, answer);

  const context = requestContext(req);
  context.audit.endUser = request.endUser ?? null;
  const signal = clientGoneSignal(res, context.audit);
  const nextDigest = historyDigest(request, request.turns);
  const work = (progress: RunProgress): Promise<ToolAnswer> =>
    parked
      ? toolRuns.resume(token, parked, continuation!.results, context, signal, nextDigest, progress)
      : toolRuns.start(token, { ...runInputOf(request), catalog: request.tools! }, context, signal, nextDigest, progress);

  if (!request.stream) {
    const step = await work({ started: () => markRunStarted(res) });
    if (step.kind === 'tool_calls') {
      res.status(200).json(answer.calls(step));
      return;
    }
    setCostHeader(res, { ...step.outcome, queueMs: step.queueMs });
    res.status(200).json(answer.body({ ...step.outcome, usage: step.usage, queueMs: step.queueMs }));
    return;
  }
  const stream = answer.stream();
  await streamRun(stream, req, res, answer.format, async () => {
    const step = await work({
      started: () => {
        markRunStarted(res);
        stream.open();
      },
      event: (event) => stream.event(event),
    });
    if (step.kind === 'tool_calls') stream.finishCalls(step);
    else stream.finish({ ...step.outcome, usage: step.usage, queueMs: step.queueMs });
  });
}
