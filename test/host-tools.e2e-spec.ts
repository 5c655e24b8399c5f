import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '@clawdforge/core';
import { ChildProcessRunner, ChildRegistry, ProcessRunner, ProcessStartOptions, StartedProcess } from '@clawdforge/runners';
import { startTestApp, TestApp } from './support/test-app';

const ROOT = path.join(__dirname, '..');
const ACPX = path.join(ROOT, 'node_modules', '.bin', 'acpx');
const FAKE_AGENT = `${process.execPath} ${path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;

/** The project's own TypeScript sources, server and CLI. */
function sources(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    // What the server and the CLI are built from: specs of any tier (x.spec.ts, x.medium-spec.ts) start what they test.
    .filter((file) => file.endsWith('.ts') && !/\.(spec|medium-spec)\.ts$/.test(file))
    .map((file) => path.join(dir, file));
}

/** The real process runner, noting every command it is asked to start and where. */
class RecordingProcessRunner extends ChildProcessRunner {
  readonly started: { command: string; cwd?: string; args: readonly string[] }[] = [];

  override start(command: string, options: ProcessStartOptions): StartedProcess {
    this.started.push({ command, cwd: options.cwd, args: options.args ?? [] });
    return super.start(command, options);
  }
}

/**
 * An agent may write anything in its own directory, `.git/config` (core.fsmonitor, hooks) included:
 * harmless for as long as nothing on the host runs a tool there. This holds the gateway to that:
 * the one place that starts processes is the only importer of child_process, and what it is asked
 * to start for runs, sessions and their ends is the claude and acpx CLIs, and nothing else in an
 * agent's directory.
 */
describe('nothing runs on the host in an agent’s directory but the CLIs', () => {
  let t: TestApp;
  let runner: RecordingProcessRunner;

  beforeAll(async () => {
    runner = new RecordingProcessRunner(new ChildRegistry(fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'clawdforge-children-'))));
    t = await startTestApp(
      { ACPX_BIN: ACPX, SESSION_AGENTS: 'fake', SESSION_AGENT_COMMANDS: `fake=${FAKE_AGENT}` },
      { overrides: [{ provide: ProcessRunner, useValue: runner }] },
    );
  });
  afterAll(() => t.close());

  it('has one module that imports child_process, the process runner', () => {
    const importers = [...sources(path.join(ROOT, 'libs')), ...sources(path.join(ROOT, 'apps'))].filter((file) =>
      /from ['"](node:)?child_process['"]|require\(['"](node:)?child_process['"]\)/.test(fs.readFileSync(file, 'utf8')),
    );
    expect(importers.map((file) => path.relative(ROOT, file))).toEqual([path.join('libs', 'runners', 'src', 'child-process-runner.ts')]);
  });

  it('starts only claude and acpx for a run, a session’s turns and its close, even with a .git directory planted there', async () => {
    const config = t.app.get(AppConfig);
    const token = await t.mintToken('git-planter');
    const id = (await t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'fake' }).expect(201)).body.session_id;
    const cwd = path.join(config.paths.sessionsCwd, id);
    fs.mkdirSync(path.join(cwd, '.git', 'hooks'), { recursive: true });
    fs.writeFileSync(path.join(cwd, '.git', 'config'), '[core]\n\tfsmonitor = touch /tmp/clawdforge-fsmonitor-ran\n');
    await t.http().post(`/sessions/${id}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt: 'hello' }).expect(200);
    await t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hello' }).expect(200);
    await t.http().delete(`/sessions/${id}`).set('Authorization', `Bearer ${token}`).expect(200);

    const commands = new Set(runner.started.map((started) => started.command));
    expect([...commands].every((command) => command === config.clis.claudeBin || command === config.clis.acpxBin)).toBe(true);
    const agentDirs = [config.paths.runsDir, config.paths.sessionsCwd];
    const inAgentDirs = runner.started.filter((started) => started.cwd !== undefined && agentDirs.some((dir) => started.cwd!.startsWith(dir)));
    expect(inAgentDirs.every((started) => started.command === config.clis.claudeBin)).toBe(true);
    expect(fs.existsSync('/tmp/clawdforge-fsmonitor-ran')).toBe(false);
  }, 90_000);
});
