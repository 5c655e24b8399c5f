/**
 * npm run compat: the real-CLI end-to-end specs and the golden output shapes, run against the
 * newest releases of the CLIs instead of the pinned ones. It installs the newest
 * @anthropic-ai/claude-code and acpx, and the newest Claude ACP adapter that acpx accepts, into a
 * temporary prefix (it needs the npm registry), points CLAUDE_BIN, ACPX_BIN and CLAUDE_ACP_BIN at
 * them, records the golden conversations with them and compares their shapes with
 * test/fixtures/golden, runs the specs, and prints one table. Exit code 1 on any failure.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_PACKAGES, packageVersionOfBin, PinnedCli, pinnedCliVersions, versionNumber } from '../libs/runners/src/cli-pins';
import { CliOutput, compareShapes, ShapeReport } from '../libs/runners/src/output-shapes';
import { SCENARIOS } from './golden/scenarios';

const ROOT = path.resolve(__dirname, '..');
const GOLDEN = path.join(ROOT, 'test', 'fixtures', 'golden');
const SPECS = ['test/run-real-claude.e2e-spec.ts', 'test/sessions-real-claude.e2e-spec.ts', 'test/session-command-layer.e2e-spec.ts', 'test/claude-state.e2e-spec.ts'];
const BIN_NAMES: Record<PinnedCli, string> = { claude: 'claude', acpx: 'acpx', claudeAcp: 'claude-agent-acp' };

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A child run to its end (never spawnSync: nothing here may block the event loop). */
function exec(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean } = {}): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.echo) process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function npm(args: string[], cwd: string): Promise<string> {
  const result = await exec('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd });
  if (result.code !== 0) throw new Error(`npm ${args.join(' ')} failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return result.stdout.trim();
}

/** `npm view` JSON, which is one value or an array of them. */
async function npmView(spec: string, field: string, cwd: string): Promise<unknown> {
  const out = await npm(['view', spec, field, '--json'], cwd);
  return out === '' ? undefined : (JSON.parse(out) as unknown);
}

/** The Claude ACP adapter range acpx accepts: a dependency of its package, else the one its agent registry launches. */
async function adapterRange(acpxVersion: string, prefix: string): Promise<{ range: string; from: string }> {
  const dependencies = (await npmView(`acpx@${acpxVersion}`, 'dependencies', prefix)) as Record<string, string> | undefined;
  const declared = dependencies?.[CLI_PACKAGES.claudeAcp];
  if (declared) return { range: declared, from: 'its dependencies' };
  const registry = require.resolve('acpx/agent-registry', { paths: [prefix] });
  // acpx is an ES module: ask a child node for its registry's range.
  const script = `import(${JSON.stringify(`file://${registry}`)}).then((m) => console.log(m.BUILT_IN_AGENT_PACKAGES.claude.packageRange))`;
  const result = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: prefix });
  const range = result.stdout.trim();
  if (result.code !== 0 || range === '') throw new Error(`acpx ${acpxVersion} names no Claude ACP adapter range: ${result.stderr.trim()}`);
  return { range, from: 'its agent registry' };
}

interface Install {
  prefix: string;
  newest: Record<PinnedCli, string>;
  note: Partial<Record<PinnedCli, string>>;
  bins: Record<PinnedCli, string>;
}

async function installNewest(prefix: string): Promise<Install> {
  fs.mkdirSync(prefix, { recursive: true });
  const latest = async (name: string) => String(await npmView(`${name}@latest`, 'version', prefix));
  const claude = await latest(CLI_PACKAGES.claude);
  const acpx = await latest(CLI_PACKAGES.acpx);
  const base = [`${CLI_PACKAGES.claude}@${claude}`, `${CLI_PACKAGES.acpx}@${acpx}`];
  console.error(`compat: installing ${base.join(' ')} into ${prefix}`);
  await npm(['install', '--prefix', prefix, '--no-save', ...base], prefix);
  const { range, from } = await adapterRange(acpx, prefix);
  const matching = [await npmView(`${CLI_PACKAGES.claudeAcp}@${range}`, 'version', prefix)].flat().map(String);
  const adapter = matching.at(-1);
  if (!adapter) throw new Error(`no ${CLI_PACKAGES.claudeAcp} release matches ${range}`);
  const adapterLatest = await latest(CLI_PACKAGES.claudeAcp);
  console.error(`compat: installing ${CLI_PACKAGES.claudeAcp}@${adapter} (acpx ${acpx} takes ${range}, from ${from})`);
  // The earlier two named again, so this install keeps them.
  await npm(['install', '--prefix', prefix, '--no-save', ...base, `${CLI_PACKAGES.claudeAcp}@${adapter}`], prefix);
  const bins = Object.fromEntries(Object.entries(BIN_NAMES).map(([cli, name]) => [cli, path.join(prefix, 'node_modules', '.bin', name)])) as Record<PinnedCli, string>;
  return {
    prefix,
    newest: { claude, acpx, claudeAcp: adapter },
    note: { claudeAcp: `acpx ${acpx} takes ${range}${adapterLatest === adapter ? '' : `; ${adapterLatest} is out`}` },
    bins,
  };
}

/** The versions the installed executables report, so the table says what really ran. */
async function installedVersions(bins: Record<PinnedCli, string>, env: NodeJS.ProcessEnv): Promise<Record<PinnedCli, string | null>> {
  const say = async (bin: string) => versionNumber((await exec(bin, ['--version'], { env })).stdout);
  return { claude: await say(bins.claude), acpx: await say(bins.acpx), claudeAcp: packageVersionOfBin(bins.claudeAcp, CLI_PACKAGES.claudeAcp) };
}

interface SpecResult {
  name: string;
  passed: boolean;
  message: string;
}

async function runSpecs(env: NodeJS.ProcessEnv, outputFile: string): Promise<SpecResult[]> {
  console.error(`compat: running ${SPECS.join(' ')}`);
  // A roomier per-test limit than npm test's: this run judges what the CLIs do, not how fast a busy machine starts them.
  const jest = [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--runTestsByPath', ...SPECS, '--testTimeout=120000', '--json', `--outputFile=${outputFile}`];
  const result = await exec(process.execPath, jest, { env });
  if (!fs.existsSync(outputFile)) throw new Error(`jest wrote no results (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-5).join(' ')}`);
  const report = JSON.parse(fs.readFileSync(outputFile, 'utf8')) as {
    testResults: { name: string; message: string; assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[] }[];
  };
  return report.testResults.flatMap((file) =>
    file.assertionResults.length === 0
      ? [{ name: path.basename(file.name), passed: false, message: file.message }]
      : file.assertionResults.map((test) => ({
          name: [...test.ancestorTitles, test.title].join(' › '),
          passed: test.status === 'passed',
          message: test.failureMessages.join('\n'),
        })),
  );
}

type Lines = Record<string, unknown>[];
const readLines = (file: string): Lines | null =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    : null;

interface Manifest {
  scenarios: Record<string, { cli: CliOutput }>;
  failures?: Record<string, string>;
}

/** Each golden conversation's shape against the same conversation recorded with the newest CLIs. */
async function compareWithGolden(env: NodeJS.ProcessEnv, out: string): Promise<Map<string, ShapeReport | string>> {
  console.error('compat: recording the golden conversations with the newest CLIs');
  const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const recorded = await exec(process.execPath, [tsNode, '--transpile-only', '-r', 'tsconfig-paths/register', 'scripts/record-golden.ts', '--out', out], { env });
  const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'manifest.json'), 'utf8')) as Manifest;
  const newest: Manifest = fs.existsSync(path.join(out, 'manifest.json')) ? (JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest) : { scenarios: {} };
  const reports = new Map<string, ShapeReport | string>();
  for (const [name, { cli }] of Object.entries(golden.scenarios)) {
    const lines = readLines(path.join(out, `${name}.jsonl`));
    if (lines === null) {
      const why = newest.failures?.[name] ?? (recorded.stderr.trim().split('\n').pop() || `the recorder exited ${recorded.code}`);
      reports.set(name, `not recorded: ${why}`);
    } else {
      reports.set(name, compareShapes(cli, readLines(path.join(GOLDEN, `${name}.jsonl`))!, lines));
    }
  }
  return reports;
}

const cell = (text: string, max = 240) => {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function shapeRow(name: string, report: ShapeReport | string): { row: string; failed: boolean } {
  if (typeof report === 'string') return { row: `| shapes: ${name} | | | FAIL | ${cell(report)} |`, failed: true };
  const parts = [
    report.missingRead.length ? `lacks what the parsers read: ${report.missingRead.join(', ')}` : '',
    report.missingUnread.length ? `lacks (unread): ${report.missingUnread.join(', ')}` : '',
    report.added.length ? `adds: ${report.added.join(', ')}` : '',
  ].filter(Boolean);
  const failed = report.missingRead.length > 0;
  const result = failed ? 'FAIL' : report.missingUnread.length ? 'ok, fields gone' : report.added.length ? 'ok, new fields' : 'same';
  return { row: `| shapes: ${name} | | | ${result} | ${cell(parts.join('; '))} |`, failed };
}

/** For a failing spec: the first output line whose shape changed in its conversation, else the first line of the failure. */
function failureDetail(spec: SpecResult, reports: Map<string, ShapeReport | string>): string {
  const scenario = SCENARIOS.find((s) => s.specs?.test(spec.name));
  const report = scenario && reports.get(scenario.name);
  if (report && typeof report !== 'string' && report.firstChanged) {
    const { index, line, differs } = report.firstChanged;
    return `${scenario.name} line ${index + 1}: ${differs} — ${line}`;
  }
  const first = spec.message.split('\n').find((line) => line.trim() !== '') ?? 'failed';
  return scenario ? `${first} (${scenario.name}: no shape changed)` : first;
}

async function main(): Promise<void> {
  const pins = pinnedCliVersions(ROOT);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-compat-'));
  const rows: string[] = [];
  let failed = false;
  try {
    let install: Install;
    try {
      install = await installNewest(path.join(work, 'prefix'));
    } catch (error) {
      failed = true;
      rows.push(`| install the newest CLIs | | | FAIL | ${cell((error as Error).message)} |`);
      return;
    }
    const home = path.join(work, 'home');
    fs.mkdirSync(home);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CLAUDE_BIN: install.bins.claude,
      ACPX_BIN: install.bins.acpx,
      CLAUDE_ACP_BIN: install.bins.claudeAcp,
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
    const ran = await installedVersions(install.bins, { ...env, HOME: home });
    for (const cli of Object.keys(CLI_PACKAGES) as PinnedCli[]) {
      const seen = ran[cli] === install.newest[cli] ? '' : `; it says ${ran[cli] ?? 'nothing'}`;
      if (seen) failed = true;
      const result = seen ? 'FAIL' : install.newest[cli] === pins[cli] ? 'same' : 'newer';
      rows.push(`| ${CLI_PACKAGES[cli]} | ${pins[cli] ?? '?'} | ${install.newest[cli]} | ${result} | ${cell(`${install.note[cli] ?? ''}${seen}`.replace(/^; /, ''))} |`);
    }
    const reports = await compareWithGolden(env, path.join(work, 'golden'));
    for (const [name, report] of reports) {
      const { row, failed: bad } = shapeRow(name, report);
      rows.push(row);
      failed ||= bad;
    }
    let specs: SpecResult[];
    try {
      specs = await runSpecs(env, path.join(work, 'jest.json'));
    } catch (error) {
      failed = true;
      rows.push(`| specs | | | FAIL | ${cell((error as Error).message)} |`);
      return;
    }
    for (const spec of specs) {
      failed ||= !spec.passed;
      rows.push(`| spec: ${cell(spec.name, 200)} | | | ${spec.passed ? 'pass' : 'FAIL'} | ${spec.passed ? '' : cell(failureDetail(spec, reports), 400)} |`);
    }
  } finally {
    console.log('| | pinned | newest | result | detail (for a failure, the first output line whose shape changed) |');
    console.log('|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    fs.rmSync(work, { recursive: true, force: true });
    process.exitCode = failed ? 1 : 0;
  }
}

main().catch((error: Error) => {
  console.error(`compat: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
