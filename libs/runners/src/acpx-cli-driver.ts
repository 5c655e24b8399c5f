import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, type RequestContext, requestLogFields } from '@clawdforge/core';
import { AcpxDriver, AcpxSessionRef, AcpxTurnOptions, AcpxTurnResult } from './acpx-driver';
import { ParsedTurn, parseTurnOutput, TurnOutputReader } from './acpx-output';
import { AgentConfinement } from './agent-confinement';
import { buildChildEnv } from './child-env';
import { ClaudeStateDirs } from './claude-state';
import { CliFailedError, sanitizeCliMessage, ShuttingDownError, stderrForLog, stoppedChildError } from './cli-errors';
import { ProcessFeedOptions, ProcessResult, ProcessRunner, ProcessStartOptions, StartedProcess } from './process-runner';
import { acpxPromptInput } from './message-text';
import { WarmPool } from './warm-pool';

/** acpx's exit codes (docs/CLI.md). */
const EXIT_TIMEOUT = 3;
const EXIT_NO_SESSION = 4;
const EXIT_PERMISSION_UNAVAILABLE = 5;

const CONTROL_TIMEOUT_MS = 60_000;
/** Our own limit sits a little past acpx's --timeout, as a backstop. */
const BACKSTOP_MS = 10_000;

/** What a session's `acpx prompt` client is started with, before its prompt. */
interface PromptLaunch {
  session: AcpxSessionRef;
  timeoutSecs: number;
}

function spareKey({ session, timeoutSecs }: PromptLaunch): string {
  return `${session.name}\0${timeoutSecs}`;
}

/**
 * Runs `acpx` for each step of a session. Every value travels glued to its flag, prompts go on
 * stdin as one text block (acpxPromptInput), and acpx children get HOME = ACPX_HOME (its state lives
 * in $HOME/.acpx); the claude under the agent keeps its own state in the session's directory
 * (ClaudeStateDirs) and reads its login from the login's directory. The claude agent is named by
 * the adapter's own path, not acpx's built-in name, so an `.acpxrc.json` in the session directory
 * cannot swap it; the claude it starts is confined by AgentConfinement.
 */
@Injectable()
export class AcpxCliDriver extends AcpxDriver implements OnModuleDestroy {
  private readonly logger = new Logger(AcpxCliDriver.name);
  /** Turns running now, by session name. */
  private readonly inFlight = new Map<string, AcpxSessionRef>();
  /** Turns cancelled because the server is stopping. */
  private readonly cancelledAtShutdown = new Set<string>();

  /**
   * A spare `acpx prompt` client per open session, started ahead and waiting for its prompt on
   * stdin: acpx reads the prompt before it loads anything else or reaches the session's queue
   * owner, so a spare answers in tens of milliseconds where a fresh client takes about 400.
   */
  private readonly spares: WarmPool<PromptLaunch>;

  constructor(
    private readonly config: AppConfig,
    private readonly processes: ProcessRunner,
    private readonly confinement: AgentConfinement,
    private readonly state: ClaudeStateDirs,
  ) {
    super();
    this.spares = new WarmPool<PromptLaunch>(
      {
        perKey: config.sessions.warmClients ? 1 : 0,
        keyTtlMs: config.sessions.ttlSecs * 1000,
        max: config.sessions.maxOpen,
        maxIdleMs: config.sessions.ttlSecs * 1000,
      },
      async (launch) => ({ process: this.start(launch.session, this.promptArgs(launch)), dispose: async () => undefined }),
    );
  }

  /** Spare prompt clients waiting now. */
  get spareClients(): number {
    return this.spares.size;
  }

  async retireSpares(): Promise<void> {
    await this.spares.close();
  }

  onModuleDestroy(): Promise<void> {
    return this.retireSpares();
  }

  async create(session: AcpxSessionRef, { firstTurnTimeoutSecs, origin }: { firstTurnTimeoutSecs?: number; origin?: RequestContext } = {}): Promise<void> {
    const result = await this.acpx(session, this.args(session, ['sessions', 'new', `--name=${session.name}`]), { timeoutMs: CONTROL_TIMEOUT_MS, origin });
    if (result.outcome !== 'exited' || result.exitCode !== 0) throw this.failure('the agent session could not be created', result, origin);
    if (firstTurnTimeoutSecs !== undefined) {
      const launch: PromptLaunch = { session, timeoutSecs: firstTurnTimeoutSecs };
      this.spares.warm(spareKey(launch), launch);
    }
  }

  async prompt(session: AcpxSessionRef, prompt: string, options: AcpxTurnOptions): Promise<AcpxTurnResult> {
    const reader = new TurnOutputReader();
    const started = performance.now();
    // The turn is answered as soon as the agent's prompt result arrives; acpx then waits a second
    // for stragglers before it exits, and what arrives in that time is the drain's.
    let answered: ParsedTurn | null = null;
    let answer!: (turn: ParsedTurn) => void;
    const early = new Promise<ParsedTurn>((resolve) => (answer = resolve));
    const late: Record<string, unknown>[] = [];
    this.inFlight.set(session.name, session);
    const exited = this.promptClient(session, options.timeoutSecs).feed({
      stdin: acpxPromptInput(prompt),
      timeoutMs: options.timeoutSecs * 1000 + BACKSTOP_MS,
      signal: options.signal,
      origin: options.origin,
      onStdoutLine: (line) => {
        const event = reader.push(line);
        if (!event) return;
        if (answered) {
          late.push(event);
          return;
        }
        options.onEvent?.(event);
        const turn = reader.turn();
        // A cancelled turn (acpx's own timeout, a cancel at shutdown) waits for the exit, whose code says why.
        if (turn.stopReason !== null && turn.stopReason !== 'cancelled' && turn.error === null) {
          answered = { ...turn, events: [...turn.events] };
          answer(answered);
        }
      },
    }).finally(() => this.inFlight.delete(session.name));

    const first = await Promise.race([early, exited]);
    if (!('outcome' in first)) {
      return {
        ...this.resultOf(first),
        durationMs: Math.round(performance.now() - started),
        drained: exited.then(
          (result) => {
            this.cancelledAtShutdown.delete(session.name);
            if (result.outcome !== 'exited' || (result.exitCode !== 0 && result.exitCode !== EXIT_PERMISSION_UNAVAILABLE)) {
              this.logger.warn(requestLogFields(options.origin), `acpx ${result.outcome} ${result.exitCode ?? result.signal} after its turn was answered: ${stderrForLog(result.stderr)}`);
            }
            return late;
          },
          () => late,
        ),
      };
    }
    const result = first;
    // Cancelled at shutdown (cancelTurnsInFlight): whatever acpx printed, the turn did not finish.
    if (this.cancelledAtShutdown.delete(session.name)) throw new ShuttingDownError();
    const outcome = result.exitCode === EXIT_TIMEOUT ? 'timeout' : result.outcome;
    const stopped = stoppedChildError(outcome, { timeoutSecs: options.timeoutSecs, maxOutputBytes: this.config.runs.outputMaxBytes });
    if (stopped) {
      // Stopping the acpx client does not stop the agent's turn: that takes an explicit cancel.
      if (outcome !== 'shutdown') await this.cancel(session, options.origin);
      throw stopped;
    }
    const turn = reader.turn();
    // acpx exits 5 after a turn in which it refused a permission; the turn itself ended normally.
    if ((result.exitCode === 0 || result.exitCode === EXIT_PERMISSION_UNAVAILABLE) && turn.stopReason !== null) {
      return { ...this.resultOf(turn), durationMs: result.durationMs };
    }
    if (result.exitCode === EXIT_NO_SESSION) throw new CliFailedError('the agent session is gone from acpx; close it and start a new one', 'session_lost');
    if (result.exitCode === EXIT_PERMISSION_UNAVAILABLE) {
      throw new CliFailedError('the agent asked for a permission that SESSION_PERMISSIONS does not grant', 'permission_unavailable');
    }
    throw this.failure('the agent failed', result, options.origin, turn.error?.message);
  }

  private resultOf(turn: ParsedTurn): Omit<AcpxTurnResult, 'durationMs'> {
    return { events: turn.events, stopReason: turn.stopReason!, text: turn.text, usage: turn.usage, agentCostUsd: turn.agentCostUsd, toolsRefused: turn.toolsRefused };
  }

  async cancelTurnsInFlight(withinMs: number): Promise<void> {
    const sessions = [...this.inFlight.values()];
    if (sessions.length === 0) return;
    for (const session of sessions) this.cancelledAtShutdown.add(session.name);
    this.logger.warn(`cancelling ${sessions.length} agent turn(s) still running at shutdown`);
    await Promise.all(sessions.map((session) => this.cancelWithin(session, withinMs)));
  }

  cancel(session: AcpxSessionRef, origin?: RequestContext): Promise<void> {
    return this.cancelWithin(session, CONTROL_TIMEOUT_MS, origin);
  }

  private async cancelWithin(session: AcpxSessionRef, withinMs: number, origin?: RequestContext): Promise<void> {
    const result = await this.acpx(session, this.args(session, ['cancel', `--session=${session.name}`]), { timeoutMs: withinMs, origin }).catch(
      (error: Error) => ({ outcome: 'exited', exitCode: -1, stderr: error.message }) as Partial<ProcessResult>,
    );
    if (result.exitCode !== 0) this.logger.warn(requestLogFields(origin), `acpx cancel of ${session.name} exited ${result.exitCode}`);
  }

  async close(session: AcpxSessionRef, origin?: RequestContext): Promise<void> {
    await this.spares.forget((key) => key.startsWith(`${session.name}\0`));
    const result = await this.acpx(session, this.args(session, ['sessions', 'close', session.name]), { timeoutMs: CONTROL_TIMEOUT_MS, origin });
    if (result.outcome === 'exited' && (result.exitCode === 0 || result.exitCode === EXIT_NO_SESSION)) return;
    throw this.failure('the agent session could not be closed', result, origin);
  }

  /** Global options, then the agent (a built-in name, or a raw command from SESSION_AGENT_COMMANDS), then the step. */
  private args(session: AcpxSessionRef, step: string[], extra: string[] = []): string[] {
    const raw = this.config.sessions.agentCommands[session.agent];
    return [
      `--cwd=${session.cwd}`,
      '--format=json',
      this.confinement.acpxPermissions(),
      '--non-interactive-permissions=deny',
      `--model=${session.model}`,
      ...(session.system !== undefined ? [`--system-prompt=${session.system}`] : []),
      ...extra,
      this.agentArg(session.agent, raw),
      ...step,
    ];
  }

  private agentArg(agent: string, raw: string | undefined): string {
    if (raw !== undefined) return `--agent=${raw}`;
    // The adapter by path (CLAUDE_ACP_BIN, else the pinned one); acpx's built-in agent only when none is installed.
    const adapter = this.config.clis.claudeAcpBin;
    return agent === 'claude' && adapter !== null ? `--agent=${adapter}` : agent;
  }

  private acpx(session: AcpxSessionRef, args: string[], options: ProcessFeedOptions): Promise<ProcessResult> {
    return this.processes.run(this.config.clis.acpxBin, { ...this.startOptions(session, args), ...options });
  }

  private start(session: AcpxSessionRef, args: string[]): StartedProcess {
    return this.processes.start(this.config.clis.acpxBin, this.startOptions(session, args));
  }

  private startOptions(session: AcpxSessionRef, args: string[]): ProcessStartOptions {
    return {
      args,
      env: buildChildEnv(process.env, {
        HOME: this.config.paths.acpxHome,
        ...this.state.childEnv(session.stateDir, session.configDir),
        // The claude the adapter starts gets the session's state directory as its HOME too (claude-confined).
        CLAWDFORGE_CLAUDE_HOME: session.stateDir,
        CLAUDE_CODE_MAX_RETRIES: String(this.config.clis.claudeMaxRetries),
        DISABLE_AUTOUPDATER: '1',
        ...this.confinement.sessionEnv(session.cwd),
      }),
      maxOutputBytes: this.config.runs.outputMaxBytes,
    };
  }

  /** The `acpx prompt` client for a turn: the session's spare when it waits with the same argv, else one started now. */
  private promptClient(session: AcpxSessionRef, timeoutSecs: number): StartedProcess {
    const launch: PromptLaunch = { session, timeoutSecs };
    const key = spareKey(launch);
    // One spare per session: one waiting for another timeout goes.
    void this.spares.forget((other) => other !== key && other.startsWith(`${session.name}\0`));
    return this.spares.take(key, launch)?.process ?? this.start(session, this.promptArgs(launch));
  }

  private promptArgs({ session, timeoutSecs }: PromptLaunch): string[] {
    return this.args(session, ['prompt', `--session=${session.name}`], [`--timeout=${timeoutSecs}`]);
  }

  private failure(what: string, result: ProcessResult, origin: RequestContext | undefined, said?: string): CliFailedError {
    const detail = said ?? parseTurnOutput(result.stdout).error?.message ?? result.stderr.trim().split('\n').filter(Boolean).pop() ?? '';
    this.logger.warn(requestLogFields(origin), `${what}: acpx ${result.outcome} ${result.exitCode ?? result.signal}: ${stderrForLog(result.stderr)}`);
    const clean = sanitizeCliMessage(detail);
    return new CliFailedError(`${what} (acpx exit ${result.exitCode ?? result.signal})${clean ? `: ${clean}` : ''}`, 'agent_failed');
  }
}
