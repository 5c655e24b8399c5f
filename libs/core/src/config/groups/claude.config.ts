import * as os from 'node:os';
import * as path from 'node:path';
import type { ClisConfig, LoginConfig, ModelsConfig } from '../app-config';
import { ConfigError } from '../config-error';
import { agentPath, Env, integer, list, model, text } from '../env-readers';
import { isModelName } from '../model-names';
import { resolveCliBin } from '../resolve-cli-bin';

/** CLAUDE_BIN, ACPX_BIN, CLAUDE_ACP_BIN (the project's pinned CLIs by default), CLAUDE_MAX_RETRIES. */
export function loadClisConfig(env: Env): ClisConfig {
  return {
    claudeBin: text(env, 'CLAUDE_BIN') ?? resolveCliBin('claude'),
    acpxBin: text(env, 'ACPX_BIN') ?? resolveCliBin('acpx'),
    claudeAcpBin: text(env, 'CLAUDE_ACP_BIN') ?? installedAdapter(),
    claudeMaxRetries: integer(env, 'CLAUDE_MAX_RETRIES', 2, 0, 10),
  };
}

/** The project's own Claude ACP adapter, when it is installed. */
function installedAdapter(): string | null {
  const bin = resolveCliBin('claude-agent-acp');
  return path.isAbsolute(bin) ? bin : null;
}

/** DEFAULT_MODEL, MODEL_ALLOWLIST, MODEL_ALIASES. */
export function loadModelsConfig(env: Env): ModelsConfig {
  const allowlist = list(env, 'MODEL_ALLOWLIST');
  for (const item of allowlist) {
    if (!isModelName(item)) throw new ConfigError('MODEL_ALLOWLIST', `has "${item}", which is not a model alias or claude-… model id`);
  }
  const fallback = model(env, 'DEFAULT_MODEL', 'sonnet');
  if (allowlist.length > 0 && !allowlist.includes(fallback)) throw new ConfigError('DEFAULT_MODEL', `"${fallback}" is not in MODEL_ALLOWLIST`);
  return { default: fallback, allowlist, aliases: modelAliasMap(env, 'MODEL_ALIASES') };
}

const FOREIGN_MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** `gpt-4o=sonnet,gpt-4o-mini=haiku`: names other clients send, each served by a model of ours. */
function modelAliasMap(env: Env, name: string): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const item of list(env, name)) {
    const [from, to, extra] = item.split('=').map((part) => part.trim());
    if (!from || !to || extra !== undefined) throw new ConfigError(name, `has "${item}", which is not name=model`);
    if (!FOREIGN_MODEL_NAME.test(from)) throw new ConfigError(name, `has "${from}", which is not a model name`);
    if (!isModelName(to)) throw new ConfigError(name, `maps "${from}" to "${to}", which is not a model alias or claude-… model id`);
    if (isModelName(from)) throw new ConfigError(name, `maps "${from}", which already names a claude model`);
    if (Object.hasOwn(aliases, from)) throw new ConfigError(name, `maps "${from}" twice`);
    aliases[from] = to;
  }
  return aliases;
}

const LOGIN_LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/**
 * CLAUDE_CONFIG_DIRS: `label=dir` or `dir` entries separated by commas; without it, the one login the
 * CLI uses by default (CLAUDE_CONFIG_DIR, else ~/.claude).
 */
export function loadLoginsConfig(env: Env, cwd: string): LoginConfig[] {
  const entries = list(env, 'CLAUDE_CONFIG_DIRS');
  if (entries.length === 0) {
    const dir = path.resolve(cwd, text(env, 'CLAUDE_CONFIG_DIR') ?? path.join(text(env, 'HOME') ?? os.homedir(), '.claude'));
    return [{ label: 'default', dir: agentPath('CLAUDE_CONFIG_DIR', dir) }];
  }
  const logins = entries.map((entry, i) => {
    const eq = entry.indexOf('=');
    const label = eq > 0 ? entry.slice(0, eq) : `login${i + 1}`;
    const dir = eq > 0 ? entry.slice(eq + 1) : entry;
    if (!LOGIN_LABEL.test(label)) throw new ConfigError('CLAUDE_CONFIG_DIRS', `has the label "${label}": letters, digits, _ . - only, 32 at most`);
    if (dir === '') throw new ConfigError('CLAUDE_CONFIG_DIRS', `has an empty directory for "${label}"`);
    return { label, dir: agentPath('CLAUDE_CONFIG_DIRS', path.resolve(cwd, dir)) };
  });
  const labels = new Set(logins.map((login) => login.label));
  const dirs = new Set(logins.map((login) => login.dir));
  if (labels.size !== logins.length || dirs.size !== logins.length) throw new ConfigError('CLAUDE_CONFIG_DIRS', 'names a label or a directory twice');
  return logins;
}
