import type { RequestContext } from '@clawdforge/core';
import type { TurnUsage } from './acpx-output';

/** Where acpx finds a session: it keys them by agent, working directory and name. */
export interface AcpxSessionRef {
  /** Our session id, used as the acpx session name. */
  name: string;
  agent: string;
  cwd: string;
  /** Validated model alias or id. */
  model: string;
  /** Replaces the agent's system prompt. */
  system?: string;
  /** The Claude login's directory the session's agent runs on: its credential store. */
  configDir: string;
  /** The session's own Claude state (ClaudeStateDirs), made when the session is. */
  stateDir: string;
}

export interface AcpxTurnResult {
  /** The ACP messages the agent sent during this turn, in order, ending with the prompt result. */
  events: Record<string, unknown>[];
  stopReason: string;
  /** The agent's message text, joined. */
  text: string;
  usage: TurnUsage;
  /** The agent's running total of its cost, as last reported (null when it reports none). */
  agentCostUsd: number | null;
  /** Tool calls refused during the turn (answered to the model as tool errors). */
  toolsRefused: number;
  /** Until the answer. */
  durationMs: number;
  /**
   * Present when the turn was answered before acpx exited (it lingers about a second after the
   * prompt result): resolves once acpx has exited, with the agent's messages that came in meanwhile.
   */
  drained?: Promise<Record<string, unknown>[]>;
}

export interface AcpxTurnOptions {
  timeoutSecs: number;
  signal?: AbortSignal;
  /** Each of the turn's events as acpx prints it, before the turn ends. */
  onEvent?: (event: Record<string, unknown>) => void;
  /** The request the turn serves (see ProcessFeedOptions.origin). */
  origin?: RequestContext;
}

/**
 * Drives agent sessions. Abstract class as DI token; the implementation runs the acpx CLI.
 * Failures: CliNotFoundError (503), CliTimeoutError (504, after cancelling the turn),
 * RunCancelledError (client gone, turn cancelled), ShuttingDownError (503, turn cancelled),
 * CliFailedError (502: `agent_failed`, `session_lost`, `permission_unavailable`, `output_too_large`).
 */
export abstract class AcpxDriver {
  /**
   * With `firstTurnTimeoutSecs`, a prompt client for a turn of that timeout is made ready ahead.
   * `origin`, here and below, is the request the work serves (see ProcessFeedOptions.origin).
   */
  abstract create(session: AcpxSessionRef, options?: { firstTurnTimeoutSecs?: number; origin?: RequestContext }): Promise<void>;
  abstract prompt(session: AcpxSessionRef, prompt: string, options: AcpxTurnOptions): Promise<AcpxTurnResult>;
  abstract cancel(session: AcpxSessionRef, origin?: RequestContext): Promise<void>;
  /** Ends the session and the agent process acpx keeps for it; a session acpx no longer knows counts as closed. */
  abstract close(session: AcpxSessionRef, origin?: RequestContext): Promise<void>;
  /**
   * For server shutdown, before child processes are stopped: cancels every turn still running, so
   * no agent keeps working for a caller that is gone. Those turns then fail with ShuttingDownError.
   * Resolves within `withinMs`.
   */
  abstract cancelTurnsInFlight(withinMs: number): Promise<void>;
  /** Prompt clients started ahead and waiting (none when the driver keeps none). */
  abstract get spareClients(): number;
  /** For shutdown: stops the clients started ahead, and starts no more. */
  abstract retireSpares(): Promise<void>;
}
