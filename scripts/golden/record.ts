import * as path from 'node:path';
import { ChildProcessRunner, CLI_PACKAGES, packageVersionOfBin, probeCliVersion, ProcessRunner, versionNumber } from '../../libs/runners/src';
import type { ProcessFeedOptions, ProcessResult, ProcessStartOptions, StartedProcess } from '../../libs/runners/src/process-runner';
import { useFakeModelApi } from '../../test/support/fake-model-env';
import { realClis } from '../../test/support/real-clis';
import { startTestApp } from '../../test/support/test-app';
import { normaliseOutput } from './normalise';
import { Scenario, SCENARIOS } from './scenarios';

export const ROOT = path.resolve(__dirname, '..', '..');

interface Captured {
  command: string;
  args: readonly string[];
  stdout: string;
}

/** The server's own ProcessRunner, keeping what each child printed. */
class RecordingProcessRunner extends ChildProcessRunner {
  readonly captured: Captured[] = [];

  override start(command: string, options: ProcessStartOptions): StartedProcess {
    const started = super.start(command, options);
    const captured = this.captured;
    return {
      get pid() {
        return started.pid;
      },
      get waiting() {
        return started.waiting;
      },
      ended: started.ended,
      retire: () => started.retire(),
      async feed(feed: ProcessFeedOptions): Promise<ProcessResult> {
        const result = await started.feed(feed);
        captured.push({ command, args: options.args, stdout: result.stdout });
        return result;
      },
    };
  }
}

export interface Recording {
  /** The versions recorded, by CLI (CLI_PACKAGES). */
  versions: Record<keyof typeof CLI_PACKAGES, string | null>;
  scenarios: Record<string, { cli: Scenario['cli']; argv: string[]; lines: Record<string, unknown>[] }>;
  /** Conversations that did not go as the scenario expects, and why. */
  failures: Record<string, string>;
}

/** The output the scenario's conversation made its CLI print: the one `claude -p`, or the one `acpx prompt`. */
function outputOf(scenario: Scenario, captured: Captured[]): Captured {
  const matching = captured.filter(({ args }) => (scenario.cli === 'claude' ? args[0] === '--print' : args.includes('prompt')));
  if (matching.length !== 1) throw new Error(`${scenario.name}: expected one ${scenario.cli} conversation, saw ${matching.length}`);
  return matching[0];
}

/**
 * Runs every scenario through the real server (warm spares off, so each conversation is one
 * process) with the CLIs realClis() names, against the fake Messages API, and returns each
 * conversation's output lines, normalised; a conversation that fails is reported and the rest go on.
 */
export async function recordGolden(): Promise<Recording> {
  const clis = realClis();
  const fake = await useFakeModelApi();
  const probe = new ChildProcessRunner();
  const recording: Recording = {
    versions: {
      claude: versionNumber((await probeCliVersion(probe, clis.CLAUDE_BIN)).version),
      acpx: versionNumber((await probeCliVersion(probe, clis.ACPX_BIN)).version),
      claudeAcp: packageVersionOfBin(clis.CLAUDE_ACP_BIN, CLI_PACKAGES.claudeAcp),
    },
    scenarios: {},
    failures: {},
  };
  try {
    for (const scenario of SCENARIOS) {
      const processes = new RecordingProcessRunner();
      const t = await startTestApp(
        { ...clis, RUN_WARM_POOL: '0', SESSION_WARM_CLIENTS: '0', ...scenario.env },
        { overrides: [{ provide: ProcessRunner, useValue: processes }] },
      );
      try {
        await scenario.drive({ t, api: fake.api, token: await t.mintToken('golden') });
        const places = { [t.dataDir]: '<DATA_DIR>', [fake.home]: '<HOME>', [ROOT]: '<project>', ...Object.fromEntries(Object.values(clis).map((bin) => [path.dirname(bin), '<bin>'])) };
        const { args, stdout } = outputOf(scenario, processes.captured);
        // The argv first, so that its ids and the output's are numbered alike.
        const [head, ...lines] = normaliseOutput(`${JSON.stringify({ argv: args })}\n${stdout}`, places);
        recording.scenarios[scenario.name] = { cli: scenario.cli, argv: head.argv as string[], lines };
      } catch (error) {
        recording.failures[scenario.name] = (error as Error).message;
      } finally {
        await t.close();
      }
    }
  } finally {
    await fake.restore();
  }
  return recording;
}
