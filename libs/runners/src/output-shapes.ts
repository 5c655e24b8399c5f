/**
 * What the gateway reads from the CLIs' output lines (claude's stream-json, acpx's JSON-RPC
 * messages), and how the shape of two recordings of the same conversation compares: the pinned
 * CLIs' golden lines against a newer release's.
 *
 * A field path is keys joined by dots, `[]` for every element of an array, `*` for every key of a
 * map whose keys are data (model ids), and `^name` for "name is the line's first key" (claude's
 * lines are picked by their first bytes before they are parsed). A path covers what is below it.
 */
export type CliOutput = 'claude' | 'acpx';

/**
 * The fields the parsers (claude-output.ts, acpx-output.ts) and the claude runner read, by kind
 * of line (lineKind); `*` applies to every kind. golden-output.spec.ts proves against the golden
 * recordings that every field whose removal changes what the parsers extract is listed here.
 */
export const FIELDS_READ: Record<CliOutput, Record<string, readonly string[]>> = {
  claude: {
    result: [
      'type',
      'subtype',
      'is_error',
      'result',
      'structured_output',
      'stop_reason',
      'session_id',
      'total_cost_usd',
      'api_error_status',
      'usage.input_tokens',
      'usage.output_tokens',
      'usage.cache_creation_input_tokens',
      'usage.cache_read_input_tokens',
      'modelUsage.*',
      'permission_denials[].tool_use_id',
    ],
    'stream_event content_block_delta text_delta': ['^type', 'type', 'event.type', 'event.delta.type', 'event.delta.text'],
    'stream_event content_block_start tool_use': ['^type', 'type', 'event.type', 'event.content_block.type', 'event.content_block.id', 'event.content_block.name'],
    'stream_event message_start': ['^type', 'type', 'event.type', 'event.message.model', 'event.message.usage.input_tokens', 'event.message.usage.output_tokens'],
    // A run with the client's tools (claude-tool-events.ts) also reads these.
    'system init': ['type', 'subtype', 'mcp_servers[].name', 'mcp_servers[].status'],
    'stream_event message_delta': ['type', 'event.type', 'event.delta.stop_reason', 'event.usage.output_tokens'],
    assistant: ['type', 'message.content[].type', 'message.content[].id', 'message.content[].name', 'message.content[].input'],
    user: [
      '^type',
      'type',
      'message.content[].type',
      'message.content[].tool_use_id',
      'message.content[].is_error',
      'message.content[].content',
      'tool_result_meta[].id',
      'tool_result_meta[].non_execution_kind',
    ],
  },
  acpx: {
    '*': ['id', 'method'],
    'session/update agent_message_chunk': ['params.update.sessionUpdate', 'params.update.content.type', 'params.update.content.text'],
    'session/update tool_call_update': [
      'params.update.sessionUpdate',
      'params.update.toolCallId',
      'params.update.status',
      'params.update._meta.claudeCode.nonExecutionKind',
      'params.update.content',
      'params.update.rawOutput',
    ],
    'session/update usage_update': ['params.update.sessionUpdate', 'params.update.cost.amount', 'params.update.cost.currency'],
    'session/request_permission': ['params.toolCall.toolCallId', 'params.options[].kind', 'params.options[].optionId'],
    'result of session/request_permission': ['result.outcome.outcome', 'result.outcome.optionId'],
    'result of session/prompt': ['result.stopReason', 'result.usage.inputTokens', 'result.usage.outputTokens', 'result.usage.cachedReadTokens', 'result.usage.cachedWriteTokens'],
    error: ['error.code', 'error.message', 'error.data.acpxCode'],
  },
};

/** Maps whose keys are data, not field names. */
const DATA_KEYED = new Set(['modelUsage', 'model_usage_since_last_result', 'subagent_stats.by_type']);

type Line = Record<string, unknown>;

const asObject = (value: unknown): Line => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Line) : {});
const text = (value: unknown) => (typeof value === 'string' ? value : '?');

/** The kind of an output line, so that lines are compared with lines of the same kind. */
export function lineKind(output: CliOutput, line: Line): string {
  if (output === 'claude') {
    if (line.type === 'stream_event') {
      const event = asObject(line.event);
      const inner = asObject(event.delta).type ?? asObject(event.content_block).type;
      return ['stream_event', text(event.type), ...(inner === undefined ? [] : [text(inner)])].join(' ');
    }
    if (line.type === 'system') return `system ${text(line.subtype)}`;
    return typeof line.type === 'string' ? line.type : '(no type)';
  }
  if (typeof line.method === 'string') {
    return line.method === 'session/update' ? `session/update ${text(asObject(asObject(line.params).update).sessionUpdate)}` : line.method;
  }
  if (line.error !== undefined) return 'error';
  const result = asObject(line.result);
  if (result.stopReason !== undefined) return 'result of session/prompt';
  if (result.outcome !== undefined) return 'result of session/request_permission';
  return 'result';
}

const typeName = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Every field path of one line, with the types found there. */
export function fieldPaths(line: Line): Map<string, Set<string>> {
  const paths = new Map<string, Set<string>>();
  const add = (path: string, value: unknown) => {
    const types = paths.get(path) ?? new Set<string>();
    types.add(typeName(value));
    paths.set(path, types);
  };
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const item of value) {
        add(`${path}[]`, item);
        walk(item, `${path}[]`);
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPath = `${path}.${DATA_KEYED.has(path) ? '*' : key}`;
        add(childPath, child);
        walk(child, childPath);
      }
    }
  };
  const first = Object.keys(line)[0];
  if (first !== undefined) add(`^${first}`, 'first key');
  for (const [key, value] of Object.entries(line)) {
    add(key, value);
    walk(value, key);
  }
  return paths;
}

/** Whether the parsers depend on this path of a line of this kind: it is listed, or lies above or below a listed path. */
export function isRead(output: CliOutput, kind: string, path: string): boolean {
  const listed = [...(FIELDS_READ[output][kind] ?? []), ...(FIELDS_READ[output]['*'] ?? [])];
  const under = (inner: string, outer: string) => inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[]`);
  return listed.some((read) => read === path || under(path, read) || (under(read, path) && !path.startsWith('^')));
}

export interface ShapeReport {
  /** Fields the parsers read that the newer output lacks (or carries with another type), as `kind: path`. */
  missingRead: string[];
  /** Other fields it lacks: harmless to the gateway. */
  missingUnread: string[];
  /** Fields, and kinds of line, only the newer output has. */
  added: string[];
  /** The first line of the newer output whose shape differs from its closest golden line of the same kind. */
  firstChanged: { index: number; line: string; differs: string } | null;
}

function kindShapes(output: CliOutput, lines: Line[]): Map<string, Map<string, Set<string>>> {
  const kinds = new Map<string, Map<string, Set<string>>>();
  for (const line of lines) {
    const kind = lineKind(output, line);
    const shape = kinds.get(kind) ?? new Map<string, Set<string>>();
    for (const [path, types] of fieldPaths(line)) shape.set(path, new Set([...(shape.get(path) ?? []), ...types]));
    kinds.set(kind, shape);
  }
  return kinds;
}

/** What a line lacks, and has besides, compared with one golden line. */
function lineDiff(line: Map<string, Set<string>>, golden: Map<string, Set<string>>): { missing: string[]; added: string[] } {
  const missing = [...golden.keys()].filter((path) => !line.has(path) || ![...line.get(path)!].some((type) => golden.get(path)!.has(type)));
  const added = [...line.keys()].filter((path) => !golden.has(path));
  return { missing, added };
}

/** Compares a newer CLI's output lines with the golden ones of the same conversation. */
export function compareShapes(output: CliOutput, golden: Line[], newer: Line[]): ShapeReport {
  const before = kindShapes(output, golden);
  const after = kindShapes(output, newer);
  const report: ShapeReport = { missingRead: [], missingUnread: [], added: [], firstChanged: null };
  for (const [kind, shape] of before) {
    const now = after.get(kind);
    if (!now) {
      const read = [...shape.keys()].some((path) => isRead(output, kind, path));
      (read ? report.missingRead : report.missingUnread).push(`${kind}: no line of this kind`);
      continue;
    }
    for (const [path, types] of shape) {
      const kept = now.get(path);
      if (kept && [...kept].some((type) => types.has(type))) continue;
      const said = kept ? `${path} (now ${[...kept].join('|')})` : path;
      (isRead(output, kind, path) ? report.missingRead : report.missingUnread).push(`${kind}: ${said}`);
    }
  }
  for (const [kind, shape] of after) {
    const was = before.get(kind);
    if (!was) report.added.push(`${kind}: (a new kind of line)`);
    else for (const path of shape.keys()) if (!was.has(path)) report.added.push(`${kind}: ${path}`);
  }
  report.firstChanged = firstChangedLine(output, golden, newer);
  return report;
}

/**
 * The first newer line that lacks a field the parsers read, compared with its closest golden line
 * of the same kind; else the first of a kind the golden lines do not have; else the first that lacks
 * any field; else the first with new fields.
 */
function firstChangedLine(output: CliOutput, golden: Line[], newer: Line[]): ShapeReport['firstChanged'] {
  const goldenByKind = new Map<string, Map<string, Set<string>>[]>();
  for (const line of golden) {
    const kind = lineKind(output, line);
    goldenByKind.set(kind, [...(goldenByKind.get(kind) ?? []), fieldPaths(line)]);
  }
  const found: (ShapeReport['firstChanged'] & { rank: number })[] = [];
  newer.forEach((line, index) => {
    const kind = lineKind(output, line);
    const candidates = goldenByKind.get(kind);
    const shown = JSON.stringify(line);
    if (!candidates) {
      found.push({ index, line: shown, differs: `${kind}: a new kind of line`, rank: 1 });
      return;
    }
    const paths = fieldPaths(line);
    const closest = candidates.map((g) => lineDiff(paths, g)).sort((a, b) => a.missing.length - b.missing.length || a.added.length - b.added.length)[0];
    const read = closest.missing.some((path) => isRead(output, kind, path));
    if (closest.missing.length > 0) found.push({ index, line: shown, differs: `${kind}: lacks ${closest.missing.join(', ')}`, rank: read ? 0 : 2 });
    else if (closest.added.length > 0) found.push({ index, line: shown, differs: `${kind}: adds ${closest.added.join(', ')}`, rank: 3 });
  });
  const first = found.sort((a, b) => a.rank - b.rank || a.index - b.index)[0];
  return first ? { index: first.index, line: first.line, differs: first.differs } : null;
}
