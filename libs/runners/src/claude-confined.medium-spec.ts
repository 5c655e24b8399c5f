import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

// The wrapper the Agent SDK starts in place of claude (AgentConfinement points CLAUDE_CODE_EXECUTABLE
// at it), run for real: its subject is the argv it hands the CLI it execs.
describe('bin/claude-confined', () => {
  const wrapper = path.join(__dirname, '..', 'bin', 'claude-confined');
  const argvOf = (args: string[], extra: string) =>
    JSON.parse(
      execFileSync(wrapper, args, {
        env: { PATH: process.env.PATH, CLAWDFORGE_CLAUDE_BIN: process.execPath, CLAWDFORGE_CLAUDE_ARGS: extra },
        encoding: 'utf8',
      }),
    ) as string[];
  const printArgv = ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))'];

  it('drops the adapter’s --tools and bypass flag and appends the confinement flags, one per line, untouched', () => {
    const settings = '--settings={"permissions":{"deny":["Read(//a b/**)"]}}';
    const argv = argvOf([...printArgv, '--', '--tools', 'default', '--model', 'sonnet', '--allow-dangerously-skip-permissions', '--tools=Bash', '*', 'two words'], `--restricted\n--tools=Read\n${settings}`);
    expect(argv).toEqual(['--model', 'sonnet', '*', 'two words', '--restricted', '--tools=Read', settings]);
  });

  it('appends to an invocation that starts with a flag, and passes a subcommand through unchanged', () => {
    const out = execFileSync(wrapper, ['--version'], { env: { PATH: process.env.PATH, CLAWDFORGE_CLAUDE_BIN: '/bin/echo', CLAWDFORGE_CLAUDE_ARGS: '--restricted' }, encoding: 'utf8' });
    expect(out.trim()).toBe('--version --restricted');
    const sub = execFileSync(wrapper, ['auth', 'status', '--json'], { env: { PATH: process.env.PATH, CLAWDFORGE_CLAUDE_BIN: '/bin/echo', CLAWDFORGE_CLAUDE_ARGS: '--restricted' }, encoding: 'utf8' });
    expect(sub.trim()).toBe('auth status --json');
  });
});
