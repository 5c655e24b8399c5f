import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/load-config';

/** The admin token every spec's configuration carries: long enough for loadConfig, never a real one. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/**
 * A configuration as the server loads it, from environment variables: the settings a spec is about
 * in `env`, the rest at their defaults. Specs say what they configure the way an operator does, so
 * they hold however AppConfig is laid out. Nothing is read from the process's environment.
 */
export function configFrom(env: Record<string, string> = {}, cwd = '/srv/clawdforge'): AppConfig {
  return loadConfig({ ADMIN_BOOTSTRAP_TOKEN: TEST_ADMIN_TOKEN, LOG_LEVEL: 'silent', ...env }, cwd);
}
