import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeModelApi } from '../fixtures/fake-model-api/fake-model-api';

export interface FakeModelEnv {
  api: FakeModelApi;
  home: string;
  /** Stops the API, restores the environment and removes the temporary HOME. */
  restore: () => Promise<void>;
}

/**
 * Points the real claude CLI (and everything that starts it) at a fake Messages API on loopback:
 * the server passes these variables to its children through the allowlist.
 */
export async function useFakeModelApi(): Promise<FakeModelEnv> {
  const saved = { ...process.env };
  const api = await FakeModelApi.start();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-claude-home-'));
  Object.assign(process.env, {
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    HOME: home,
    // The Claude ACP adapter refuses to run as root outside a sandbox; CI may run as root.
    IS_SANDBOX: '1',
  });
  return {
    api,
    home,
    restore: async () => {
      await api.close();
      process.env = saved;
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
