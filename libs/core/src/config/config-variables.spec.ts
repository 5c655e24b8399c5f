import * as fs from 'node:fs';
import * as path from 'node:path';
import { Env } from './env-readers';
import { loadConfig } from './load-config';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
/** Read for a default (~/.claude), but the process's own, not a setting of ours. */
const NOT_OURS = new Set(['HOME']);

/** Every variable the loaders read, over environments that take each branch (a read only happens on some paths). */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  const record = (values: Env): Env =>
    new Proxy(values, {
      get: (target, name) => {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
  const admin = { ADMIN_BOOTSTRAP_TOKEN: 'a'.repeat(24) };
  loadConfig(record({ ...admin }), '/srv/cf');
  loadConfig(record({ ...admin, CLAUDE_CONFIG_DIRS: 'a=/srv/a', DATABASE_URL: 'postgres://db/cf', INSTANCE_URL: 'http://10.0.0.5:8800', MAX_CONCURRENT_RUNS_GLOBAL: '8' }), '/srv/cf');
  loadConfig(record({ ...admin, TRUST_PROXY: '10.0.0.1', SESSION_AGENT_COMMANDS: 'x=y', MODEL_ALIASES: 'gpt-4o=sonnet' }), '/srv/cf');
  for (const name of NOT_OURS) read.delete(name);
  return read;
}

/** The variables docs/configuration.md's table lists (a row may name two: `PORT` / `HOST`). */
function documented(): Set<string> {
  const table = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const names = [...table.matchAll(/^\| (`[A-Z0-9_]+`(?: \/ `[A-Z0-9_]+`)*) \|/gm)].flatMap((row) => [...row[1].matchAll(/`([A-Z0-9_]+)`/g)].map((name) => name[1]));
  return new Set(names);
}

/** The variables .env.example lists, set or commented out. */
function exampled(): Set<string> {
  const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
  return new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((line) => line[1]));
}

const sorted = (names: Set<string>) => [...names].sort();

describe('the configuration’s variables', () => {
  it('are each read by a loader and listed in the configuration table, nothing more and nothing less', () => {
    expect(sorted(documented())).toEqual(sorted(variablesRead()));
  });

  it('are each in .env.example, nothing more and nothing less', () => {
    expect(sorted(exampled())).toEqual(sorted(variablesRead()));
  });
});
