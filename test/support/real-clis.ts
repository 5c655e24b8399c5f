import * as path from 'node:path';

const PINNED_BIN = path.join(__dirname, '..', '..', 'node_modules', '.bin');

/**
 * The real CLIs for the specs that run them: the pinned ones in node_modules/.bin, unless
 * CLAUDE_BIN, ACPX_BIN or CLAUDE_ACP_BIN name others (`npm run compat` points them at the newest
 * releases). As server configuration, so the app under test runs exactly these; with the login
 * directory useFakeModelApi() made (Jest's process.env is not the process's own environment, so
 * the server's default, ~/.claude, would be the machine user's real one).
 */
export function realClis(env: NodeJS.ProcessEnv = process.env): { CLAUDE_BIN: string; ACPX_BIN: string; CLAUDE_ACP_BIN: string; CLAUDE_CONFIG_DIR?: string } {
  return {
    CLAUDE_BIN: env.CLAUDE_BIN || path.join(PINNED_BIN, 'claude'),
    ACPX_BIN: env.ACPX_BIN || path.join(PINNED_BIN, 'acpx'),
    CLAUDE_ACP_BIN: env.CLAUDE_ACP_BIN || path.join(PINNED_BIN, 'claude-agent-acp'),
    ...(env.CLAUDE_CONFIG_DIR ? { CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR } : {}),
  };
}
