// Set up before each unit spec (jest.unit.config.ts): what the unit tier does without. Starting a
// process, opening a database or a socket fails at once, naming the tier the spec belongs in,
// rather than passing slowly on one machine and failing on another. Only this spec file's own
// module registry is touched; the medium and e2e tiers never load this. (Functions, not consts:
// jest.mock calls are hoisted above everything else in the file.)
function outOfTier(what: string): () => never {
  return () => {
    throw new Error(`${what} in a unit spec: a spec that needs it is a medium spec (*.medium-spec.ts) or an end-to-end one (test/*.e2e-spec.ts)`);
  };
}

/** The module as it is, except `names`, which fail. */
function without(id: string, names: string[]): Record<string, unknown> {
  const label = id.replace('node:', '');
  return { ...jest.requireActual<object>(id), ...Object.fromEntries(names.map((name) => [name, outOfTier(`${label}.${name}`)])) };
}

const PROCESSES = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];
jest.mock('node:child_process', () => without('node:child_process', PROCESSES));
jest.mock('child_process', () => without('node:child_process', PROCESSES));
jest.mock('node:net', () => without('node:net', ['createServer', 'connect', 'createConnection']));
jest.mock('node:http', () => without('node:http', ['createServer', 'request', 'get']));
jest.mock('node:https', () => without('node:https', ['createServer', 'request', 'get']));
// Imported where data sources are described, so only opening a database fails (and SQLite's native
// binding is never loaded).
jest.mock('sqlite3', () => ({ Database: outOfTier('a SQLite database'), verbose: outOfTier('a SQLite database') }));
jest.mock('pg', () => ({ Client: outOfTier('a PostgreSQL client'), Pool: outOfTier('a PostgreSQL pool') }));

globalThis.fetch = outOfTier('fetch');
