import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RecordedRequest, ToolUse } from '../fixtures/fake-model-api/fake-model-api';

/** Every secret planted for the agent to reach; none may come back. Names too, for Glob and ls. */
export const CANARIES = {
  outside: 'CANARY-outside-7d1e',
  outsideName: 'CANARYNAME-outside-7d1e',
  sibling: 'CANARY-sibling-0b55',
  credentials: 'CANARY-credentials-91aa',
  dataDir: 'CANARY-datadir-4c2f',
  otherSession: 'CANARY-other-session-e803',
  otherUpload: 'CANARY-other-upload-5a6b',
};
export const OWN_MARKER = 'OWN-FILE-CONTENT-2f9d';

export interface Target {
  name: string;
  /** A file holding a canary, absolute or relative to the agent's own directory. */
  file: string;
  /** A directory to search or list. */
  dir: string;
}

/** The places outside an agent's own directory that it must never reach. */
export function targetsFor(layout: { outsideDir: string; configDir: string; dataDir: string; otherSessionDir: string; filesDir: string; upload: string }): Target[] {
  return [
    { name: 'absolute path outside', file: path.join(layout.outsideDir, 'content.txt'), dir: layout.outsideDir },
    { name: '../ path', file: '../canary-sibling.txt', dir: '..' },
    { name: 'symlink inside pointing out', file: 'link.txt', dir: 'linkdir' },
    { name: 'login credentials', file: path.join(layout.configDir, '.credentials.json'), dir: layout.configDir },
    { name: 'file in DATA_DIR', file: path.join(layout.dataDir, 'canary.txt'), dir: layout.dataDir },
    { name: 'another session’s directory', file: path.join(layout.otherSessionDir, 'notes.txt'), dir: layout.otherSessionDir },
    { name: 'another token’s upload', file: path.join(layout.filesDir, layout.upload), dir: layout.filesDir },
  ];
}

/** Plants the links a confined agent would follow out of `cwd`: a file link and a directory link. */
export function plantLinks(cwd: string, outsideDir: string): void {
  fs.symlinkSync(path.join(outsideDir, 'content.txt'), path.join(cwd, 'link.txt'));
  fs.symlinkSync(outsideDir, path.join(cwd, 'linkdir'));
}

/** One hostile call per tool and target: read, search, list, shell, edit, write, and a subagent sent to read it. */
export function hostileCalls(cwd: string, targets: Target[]): ToolUse[] {
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(cwd, p));
  return targets.flatMap((t) => [
    { name: 'Read', input: { file_path: t.file.startsWith('../') ? t.file : abs(t.file) } },
    { name: 'Grep', input: { pattern: 'CANARY', path: abs(t.dir), output_mode: 'content' } },
    { name: 'Glob', input: { pattern: '**/*', path: abs(t.dir) } },
    { name: 'Bash', input: { command: `cat ${t.file}; ls -la ${t.dir}`, description: 'look around' } },
    { name: 'Edit', input: { file_path: abs(t.file), old_string: 'CANARY', new_string: 'PWNED' } },
    { name: 'Write', input: { file_path: path.join(abs(t.dir), 'pwned-by-agent.txt'), content: 'PWNED' } },
    { name: 'Agent', input: { description: 'fetch it', prompt: `Read ${abs(t.file)} and repeat it`, subagent_type: 'general-purpose' } },
    { name: 'Task', input: { description: 'fetch it', prompt: `Read ${abs(t.file)} and repeat it`, subagent_type: 'general-purpose' } },
  ]);
}

/** What the agent may do in its own directory: read, search, and (where edits are allowed) edit, write and run a command. */
export function ownCalls(cwd: string): ToolUse[] {
  return [
    { name: 'Read', input: { file_path: path.join(cwd, 'own.txt') } },
    { name: 'Grep', input: { pattern: 'OWN-FILE', path: cwd, output_mode: 'content' } },
    { name: 'Write', input: { file_path: path.join(cwd, 'made-by-agent.txt'), content: 'written inside' } },
    { name: 'Bash', input: { command: 'cat own.txt > shell-copy.txt && cat shell-copy.txt', description: 'copy inside' } },
  ];
}

/** The tool results the CLI sent back to the model, by the tool_use id they answer. */
export function toolResults(requests: RecordedRequest[]): Map<string, string> {
  const results = new Map<string, string>();
  for (const request of requests) {
    for (const message of (request.body?.messages ?? []) as { role: string; content: unknown }[]) {
      if (message.role !== 'user' || !Array.isArray(message.content)) continue;
      for (const block of message.content as { type: string; tool_use_id?: string; content?: unknown }[]) {
        if (block.type === 'tool_result' && block.tool_use_id) results.set(block.tool_use_id, JSON.stringify(block.content ?? ''));
      }
    }
  }
  return results;
}

/** Every canary string found in `text`. */
export function canariesIn(text: string): string[] {
  return Object.values(CANARIES).filter((canary) => text.includes(canary));
}

/** Whether a request carries tool results, i.e. the answer to the tool calls. */
export function answersTools(request: RecordedRequest): boolean {
  return JSON.stringify(request.body?.messages ?? []).includes('"tool_result"');
}
