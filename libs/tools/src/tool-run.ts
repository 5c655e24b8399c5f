import { CliFailedError, ClaudeStreamEvent, ClaudeUsage, ClientToolsLaunch } from '@clawdforge/runners';
import type { McpCall, McpToolResult } from './mcp-messages';
import type { McpRunHandler } from './mcp-endpoint';
import { ToolCatalog, TOOL_SERVER } from './tool-catalog';

/** A call of the model to one of the client's tools, by the client's own name for it. */
export interface ClientToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

/** The client's answer to one call: its text, and whether it reports an error. */
export interface ClientToolResult {
  id: string;
  text: string;
  isError: boolean;
}

/** What a run did since its last answer: called tools (it waits for their results), or ended. */
export type ToolStep = { kind: 'tool_calls'; calls: ClientToolCall[]; text: string; usage: ClaudeUsage } | { kind: 'ended'; text: string; usage: ClaudeUsage };

export type ToolRunState = 'running' | 'parked' | 'ended';
/** Why the gateway stopped a run before its CLI ended on its own. */
export type ToolRunStop = 'expired' | 'cancelled' | 'timeout' | 'shutdown' | 'replaced' | 'failed';

const noUsage = (): ClaudeUsage => ({ input_tokens: null, output_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null });

function addUsage(into: ClaudeUsage, more: ClaudeUsage): void {
  for (const key of Object.keys(into) as (keyof ClaudeUsage)[]) {
    if (more[key] !== null) into[key] = (into[key] ?? 0) + more[key];
  }
}

/**
 * One claude run with the client's tools, across the requests that carry it: it runs until the
 * model ends a message by calling tools, then waits ("parked") with the CLI held on its MCP calls
 * until the client's results come, then runs on. It tells the request it serves what happened
 * since that request began (a step), and holds the calls the CLI makes until their results are
 * known. Anything that fails quietly in the CLI (the bridge not connected, a call the CLI gave up
 * on) fails the run here.
 */
export class ToolRun implements McpRunHandler {
  readonly launch: ClientToolsLaunch;
  state: ToolRunState = 'running';
  /** Set when the gateway stopped the run, and why. */
  stopped: ToolRunStop | null = null;
  /** A failure seen in the CLI's output that its end would not report. */
  failure: Error | null = null;
  /** The ids of the calls it waits on while parked. */
  pendingIds: string[] = [];
  /** What the history of the request that may continue it must digest to. */
  expected: string | null = null;
  /** When its present park ends (epoch ms), while parked. */
  parkedUntil: number | null = null;
  /** Usage of the whole run, as the model calls ended (for billing a run the CLI never finished). */
  readonly totalUsage = noUsage();
  private readonly abort = new AbortController();
  private readonly answers = new Map<string, McpToolResult>();
  private readonly waiting = new Map<string, (result: McpToolResult) => void>();
  private readonly errorsGiven = new Set<string>();
  private segment = { text: '', usage: noUsage() };
  private listener?: (event: ClaudeStreamEvent) => void;
  private step!: { promise: Promise<ToolStep>; resolve: (step: ToolStep) => void };

  constructor(
    readonly id: string,
    readonly owner: string,
    readonly catalog: ToolCatalog,
    url: string,
    secret: string,
    callTimeoutMs: number,
  ) {
    this.launch = { server: TOOL_SERVER, url, secret, callTimeoutMs };
    this.newStep();
  }

  /** Aborts when the run is stopped: the CLI's process goes with it. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** What the request now served hears of the model's writing (its stream), until the next step. */
  listen(listener: ((event: ClaudeStreamEvent) => void) | undefined): void {
    this.listener = listener;
  }

  /** The next step: the model called tools, or the CLI ended. */
  nextStep(): Promise<ToolStep> {
    return this.step.promise;
  }

  /** Each event of the CLI's output, as the runner reads it. */
  readonly onEvent = (event: ClaudeStreamEvent): void => {
    switch (event.type) {
      case 'tool_servers': {
        const ours = event.servers.find((server) => server.name === TOOL_SERVER);
        if (ours?.status !== 'connected') this.fail(`the CLI could not reach the gateway's tool server (${ours?.status ?? 'not listed'})`);
        return;
      }
      case 'usage':
        addUsage(this.segment.usage, event.usage);
        addUsage(this.totalUsage, event.usage);
        return;
      case 'tool_calls':
        return this.parkOn(event.calls);
      case 'tool_result':
        // (A run being stopped reports its pending calls interrupted: that is the stop, not a failure.)
        if (event.isError && !this.errorsGiven.has(event.id) && !this.abort.signal.aborted) this.fail(`the CLI gave up on the tool call ${event.id} (it timed out or was refused)`);
        return;
      case 'delta':
        this.segment.text += event.text;
        break;
      default:
        break;
    }
    this.listener?.(event);
  };

  /** The client's results for the calls it waits on: the CLI gets them and the run goes on. */
  resume(results: ClientToolResult[]): void {
    if (this.state !== 'parked') throw new Error('only a parked run is resumed');
    this.state = 'running';
    this.pendingIds = [];
    this.newStep();
    for (const result of results) {
      const answer = { text: result.text, isError: result.isError };
      if (result.isError) this.errorsGiven.add(result.id);
      this.answers.set(result.id, answer);
      const respond = this.waiting.get(result.id);
      this.waiting.delete(result.id);
      respond?.(answer);
    }
  }

  /** The CLI has ended (on its own or stopped): the step waited on is the end. */
  ended(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.step.resolve({ kind: 'ended', text: this.segment.text, usage: this.segment.usage });
  }

  /** Stops the run: its CLI is killed, and the end reports `why`. */
  stop(why: ToolRunStop): void {
    if (this.state === 'ended' || this.abort.signal.aborted) return;
    this.stopped = why;
    this.abort.abort();
  }

  tools() {
    return this.catalog.mcpTools();
  }

  call(call: McpCall, respond: (result: McpToolResult) => void, gone: AbortSignal): void {
    const id = call.toolUseId;
    if (id === undefined) {
      respond({ text: 'the call carries no tool-use id', isError: true });
      this.fail('the CLI called a tool without its tool-use id, so no result of the client can be matched to it');
      return;
    }
    const known = this.answers.get(id);
    if (known) return respond(known);
    this.waiting.set(id, respond);
    gone.addEventListener('abort', () => this.waiting.delete(id), { once: true });
  }

  private parkOn(calls: { id: string; name: string; input: unknown }[]): void {
    const mapped: ClientToolCall[] = [];
    for (const call of calls) {
      const name = this.catalog.clientName(call.name);
      if (name === undefined) return this.fail(`the model called "${call.name.slice(0, 80)}", which is not one of the client's tools`);
      mapped.push({ id: call.id, name, arguments: call.input });
    }
    this.state = 'parked';
    this.pendingIds = mapped.map((call) => call.id);
    const step: ToolStep = { kind: 'tool_calls', calls: mapped, text: this.segment.text, usage: this.segment.usage };
    this.segment = { text: '', usage: noUsage() };
    this.step.resolve(step);
  }

  private fail(message: string): void {
    this.failure ??= new CliFailedError(message);
    this.stop('failed');
  }

  private newStep(): void {
    let resolve!: (step: ToolStep) => void;
    const promise = new Promise<ToolStep>((r) => (resolve = r));
    this.step = { promise, resolve };
    this.segment = { text: '', usage: noUsage() };
  }
}
