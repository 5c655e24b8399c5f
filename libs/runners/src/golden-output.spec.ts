import * as fs from 'node:fs';
import * as path from 'node:path';
import { TurnOutputReader } from './acpx-output';
import { pinnedCliVersions } from './cli-pins';
import type { ClaudeStreamEvent } from './claude-runner';
import { findResultLine, modelOf, parseResultText, refusedToolCalls, streamEventOf, usageOf } from './claude-output';
import { toolRunLineReader } from './claude-tool-events';
import { CliOutput, compareShapes, fieldPaths, FIELDS_READ, isRead, lineKind } from './output-shapes';

/** What the pinned CLIs printed for each conversation of scripts/golden/scenarios.ts (npm run record-golden). */
const GOLDEN = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'golden');
const manifest = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'manifest.json'), 'utf8')) as {
  versions: Record<string, string>;
  scenarios: Record<string, { cli: CliOutput }>;
};
type Line = Record<string, unknown>;
const golden = (name: string): Line[] =>
  fs
    .readFileSync(path.join(GOLDEN, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);
const stdoutOf = (lines: Line[]) => lines.map((line) => JSON.stringify(line)).join('\n');

/** Everything ClaudeCliRunner takes from a run's output: the result line's fields it reads, and the stream events. */
function claudeReads(lines: Line[]) {
  const stdout = stdoutOf(lines);
  const line = findResultLine(stdout);
  const result = line && {
    subtype: line.subtype,
    isError: line.is_error,
    result: line.result,
    structuredOutput: line.structured_output,
    stopReason: line.stop_reason,
    sessionId: line.session_id,
    costUsd: line.total_cost_usd,
    apiErrorStatus: line.api_error_status,
    usage: usageOf(line),
    model: modelOf(line),
    toolsRefused: refusedToolCalls(stdout, line),
  };
  return { result, events: lines.map((l) => streamEventOf(JSON.stringify(l))).filter(Boolean), toolRun: toolRunReads(lines) };
}

/** What a run with the client's tools takes from the same output besides (toolRunLineReader): its bridge's status, usage per model call, tool calls and results. */
function toolRunReads(lines: Line[]): ClaudeStreamEvent[] {
  const events: ClaudeStreamEvent[] = [];
  const read = toolRunLineReader((event) => events.push(event));
  for (const line of lines) read(JSON.stringify(line));
  return events.filter((event) => event.type !== 'delta' && event.type !== 'model' && event.type !== 'tool_use');
}

/** Everything AcpxCliDriver takes from a turn's output: which lines are the turn's events, and the turn's facts. */
function acpxReads(lines: Line[]) {
  const reader = new TurnOutputReader();
  const kept = lines.map((line) => reader.push(JSON.stringify(line)) !== null);
  const { events: _events, ...turn } = reader.turn();
  return { kept, turn };
}

const reads = (cli: CliOutput, lines: Line[]) => JSON.stringify(cli === 'claude' ? claudeReads(lines) : acpxReads(lines));

/** The line without the field at `fieldPath` (every element's for `[]`, every key's for `*`), or with that key no longer first for `^key`. */
function without(line: Line, fieldPath: string): Line {
  const copy = structuredClone(line);
  if (fieldPath.startsWith('^')) {
    const key = fieldPath.slice(1);
    const { [key]: value, ...rest } = copy;
    return { ...rest, [key]: value };
  }
  const REMOVED = Symbol('removed');
  // `depth` array levels down from `value`, then the rest of the path.
  const dropIn = (value: unknown, depth: number, rest: string[]): unknown => {
    if (depth === 0) {
      if (rest.length === 0) return REMOVED;
      drop(value, rest);
      return value;
    }
    if (!Array.isArray(value)) return value;
    return depth === 1 && rest.length === 0 ? [] : value.map((item) => dropIn(item, depth - 1, rest));
  };
  const drop = (node: unknown, [step, ...rest]: string[]): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const [, key, arrays] = /^(.*?)((?:\[\])*)$/.exec(step)!;
    const record = node as Record<string, unknown>;
    for (const k of key === '*' ? Object.keys(record) : [key]) {
      if (!(k in record)) continue;
      const next = dropIn(record[k], arrays.length / 2, rest);
      if (next === REMOVED) delete record[k];
      else record[k] = next;
    }
  };
  drop(copy, fieldPath.split('.'));
  return copy;
}

describe('golden output of the pinned CLIs', () => {
  it('was recorded with the versions package.json pins', () => {
    expect(manifest.versions).toEqual(pinnedCliVersions());
  });

  describe('what the claude runner reads from claude -p', () => {
    it('a fenced JSON answer: result, stop reason, usage, model, session id and cost', () => {
      const { result, events } = claudeReads(golden('claude-run'));
      expect(result).toMatchObject({
        subtype: 'success',
        isError: false,
        stopReason: 'end_turn',
        sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        costUsd: expect.any(Number),
        apiErrorStatus: null,
        usage: { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        model: expect.stringMatching(/^claude-/),
        toolsRefused: 0,
      });
      expect(parseResultText(result!.result!)).toEqual({ qty: 2, unit: 'cup', food: 'rice' });
      expect(events).toEqual([]);
    });

    it('streaming: the serving model of each API call, the tool call, then the text deltas that add up to the answer', () => {
      const { result, events: all } = claudeReads(golden('claude-stream'));
      // Each message_start names the model serving that call (two calls: the tool use, then the answer).
      expect(all.filter((e) => e?.type === 'model')).toEqual([
        { type: 'model', model: result!.model },
        { type: 'model', model: result!.model },
      ]);
      const events = all.filter((e) => e?.type !== 'model');
      expect(events[0]).toEqual({ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'Read' });
      expect(events.slice(1).every((e) => e?.type === 'delta')).toBe(true);
      expect(events.length).toBeGreaterThan(2);
      expect(events.map((e) => (e?.type === 'delta' ? e.text : '')).join('')).toBe(result!.result);
      expect(parseResultText(result!.result!)).toEqual({ qty: 2, unit: 'cup' });
    });

    it('attachments: a plain answer', () => {
      expect(claudeReads(golden('claude-attachments')).result).toMatchObject({ subtype: 'success', result: 'seen', stopReason: 'end_turn' });
    });

    it('a json_schema: the structured output', () => {
      expect(claudeReads(golden('claude-json-schema')).result).toMatchObject({ subtype: 'success', isError: false, structuredOutput: { qty: 3 } });
    });

    it('refused tool calls: a tool the run does not have, and a read outside its directory', () => {
      expect(claudeReads(golden('claude-tool-refused')).result).toMatchObject({ result: 'could not read it', toolsRefused: 1 });
      expect(claudeReads(golden('claude-read-outside')).result).toMatchObject({ result: 'could not read it', toolsRefused: 1 });
    });

    it('an upstream error: is_error with the API status and the CLI’s message', () => {
      expect(claudeReads(golden('claude-upstream-error')).result).toMatchObject({ isError: true, apiErrorStatus: 529, result: expect.stringContaining('529') });
    });
  });

  describe('what a run with the client’s tools reads from claude -p', () => {
    it('the bridge connected, both calls of one message at its end, each call’s usage, the results handed back, then the end', () => {
      const lines = golden('claude-client-tools');
      expect(toolRunReads(lines)).toEqual([
        { type: 'tool_servers', servers: [{ name: 'fn', status: 'connected' }] },
        { type: 'usage', usage: { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: null, cache_read_input_tokens: null } },
        {
          type: 'tool_calls',
          calls: [
            { id: 'toolu_fake_1_0', name: 'mcp__fn__get_weather', input: { city: 'Paris' } },
            { id: 'toolu_fake_1_1', name: 'mcp__fn__get_time', input: {} },
          ],
        },
        { type: 'tool_result', id: 'toolu_fake_1_0', isError: false },
        { type: 'tool_result', id: 'toolu_fake_1_1', isError: false },
        { type: 'usage', usage: { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: null, cache_read_input_tokens: null } },
      ]);
      expect(claudeReads(lines).result).toMatchObject({ subtype: 'success', isError: false, result: 'Sunny, and noon.', stopReason: 'end_turn' });
    });
  });

  describe('what the acpx driver reads from acpx --format json', () => {
    it('a turn: the agent’s messages only, its text, stop reason, usage and cost', () => {
      const lines = golden('acpx-turn');
      const { kept, turn } = acpxReads(lines);
      expect(turn).toMatchObject({
        stopReason: 'end_turn',
        text: 'Hello from the fake model through ACP.',
        usage: { inputTokens: 21, outputTokens: 9, cacheReadTokens: 0, cacheCreationTokens: 0 },
        error: null,
        toolsRefused: 0,
        agentCostUsd: expect.any(Number),
      });
      const events = lines.filter((_line, i) => kept[i]).map((line) => lineKind('acpx', line));
      expect(events).toContain('result of session/prompt');
      expect(events).toContain('session/update agent_message_chunk');
      for (const own of ['initialize', 'session/new', 'session/prompt', 'session/set_config_option', 'result']) expect(events).not.toContain(own);
    });

    it('refused tool calls: a read outside the directory and a tool the session does not have', () => {
      expect(acpxReads(golden('acpx-tool-refused')).turn).toMatchObject({ stopReason: 'end_turn', text: 'both refused', toolsRefused: 2 });
    });

    it('a permission request and acpx’s answer are the turn’s events; an allowed one is not a refusal', () => {
      const lines = golden('acpx-permission');
      const { kept, turn } = acpxReads(lines);
      expect(turn).toMatchObject({ stopReason: 'end_turn', text: 'written', toolsRefused: 0 });
      const events = lines.filter((_line, i) => kept[i]).map((line) => lineKind('acpx', line));
      expect(events).toEqual(expect.arrayContaining(['session/request_permission', 'result of session/request_permission']));
    });

    it('errors: the agent’s, and acpx’s own with its code', () => {
      expect(acpxReads(golden('acpx-upstream-error')).turn).toMatchObject({ stopReason: null, error: { code: -32603, message: expect.stringContaining('529') } });
      expect(acpxReads(golden('acpx-session-lost')).turn).toMatchObject({ stopReason: null, error: { code: -32002, acpxCode: 'NO_SESSION' } });
    });
  });

  describe('FIELDS_READ, the list the compatibility run checks newer CLIs against', () => {
    const recorded = Object.entries(manifest.scenarios).map(([name, { cli }]) => ({ name, cli, lines: golden(name) }));

    it('names only fields the pinned CLIs print, on lines of that kind', () => {
      for (const cli of ['claude', 'acpx'] as const) {
        const shapes = new Map<string, Set<string>>();
        for (const { lines } of recorded.filter((r) => r.cli === cli)) {
          for (const line of lines) {
            for (const kind of [lineKind(cli, line), '*']) shapes.set(kind, new Set([...(shapes.get(kind) ?? []), ...fieldPaths(line).keys()]));
          }
        }
        const absent = Object.entries(FIELDS_READ[cli]).flatMap(([kind, paths]) => paths.filter((p) => !shapes.get(kind)?.has(p)).map((p) => `${kind}: ${p}`));
        expect({ cli, absent }).toEqual({ cli, absent: [] });
      }
    });

    it('names every field whose removal changes what the parsers take from the golden output', () => {
      const unlisted: string[] = [];
      for (const { name, cli, lines } of recorded) {
        const before = reads(cli, lines);
        lines.forEach((line, i) => {
          const kind = lineKind(cli, line);
          for (const fieldPath of fieldPaths(line).keys()) {
            if (isRead(cli, kind, fieldPath)) continue;
            const changed = lines.map((l, j) => (j === i ? without(l, fieldPath) : l));
            if (reads(cli, changed) !== before) unlisted.push(`${name} line ${i + 1} (${kind}): ${fieldPath}`);
          }
        });
      }
      expect(unlisted).toEqual([]);
    });

    it('lists fields that matter: removing one changes what the parsers take', () => {
      const lines = golden('claude-run');
      const result = lines.findIndex((line) => line.type === 'result');
      for (const fieldPath of ['usage.input_tokens', 'session_id', 'modelUsage.*', 'type']) {
        expect(reads('claude', lines.map((l, j) => (j === result ? without(l, fieldPath) : l)))).not.toBe(reads('claude', lines));
      }
    });
  });

  describe('compareShapes', () => {
    const run = golden('claude-run');
    const renamed = run.map((line) => {
      if (line.type !== 'result') return line;
      const { usage, ...rest } = line as { usage: Record<string, unknown> };
      const { input_tokens, ...counts } = usage;
      return { ...rest, usage: { ...counts, inputTokens: input_tokens } };
    });

    it('finds nothing between a recording and itself', () => {
      expect(compareShapes('claude', run, run)).toEqual({ missingRead: [], missingUnread: [], added: [], firstChanged: null });
    });

    it('names a renamed field the parsers read, and shows the first line it is missing from', () => {
      const report = compareShapes('claude', run, renamed);
      expect(report.missingRead).toEqual(['result: usage.input_tokens']);
      expect(report.added).toEqual(['result: usage.inputTokens']);
      expect(report.firstChanged).toMatchObject({ index: run.findIndex((line) => line.type === 'result'), differs: 'result: lacks usage.input_tokens' });
    });

    it('takes new fields and new kinds of line in its stride, and tells a missing unread field apart', () => {
      const grown = [{ type: 'system', subtype: 'brand_new' }, ...run.map((line) => ({ ...line, extra: 1 }))];
      expect(compareShapes('claude', run, grown)).toMatchObject({ missingRead: [], missingUnread: [], added: expect.arrayContaining(['system brand_new: (a new kind of line)', 'result: extra']) });
      const lean = run.map(({ uuid: _uuid, ...line }) => line);
      expect(compareShapes('claude', run, lean)).toMatchObject({ missingRead: [], missingUnread: expect.arrayContaining(['result: uuid']) });
    });

    it('names a kind of line that is gone, and points at the first line of the kind that replaced it', () => {
      const lines = golden('claude-stream');
      const isText = (line: Line) => lineKind('claude', line) === 'stream_event content_block_delta text_delta';
      const renamed = lines.map((line) => {
        if (!isText(line)) return line;
        const event = line.event as { delta: { text: string } };
        return { ...line, event: { ...event, delta: { type: 'text', text: event.delta.text } } };
      });
      const report = compareShapes('claude', lines, renamed);
      expect(report.missingRead).toEqual(['stream_event content_block_delta text_delta: no line of this kind']);
      expect(report.firstChanged).toEqual({ index: lines.findIndex(isText), line: JSON.stringify(renamed[lines.findIndex(isText)]), differs: 'stream_event content_block_delta text: a new kind of line' });
    });

    it('notices when a line is no longer recognised by its first bytes', () => {
      const lines = golden('claude-stream');
      const reordered = lines.map((line) => (line.type === 'stream_event' ? without(line, '^type') : line));
      expect(compareShapes('claude', lines, reordered).missingRead).toContain('stream_event content_block_delta text_delta: ^type');
    });
  });
});
