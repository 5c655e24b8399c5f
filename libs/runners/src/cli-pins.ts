import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '@clawdforge/core';

/** The npm packages of the CLIs the project runs, each pinned to one version in package.json. */
export const CLI_PACKAGES = {
  claude: '@anthropic-ai/claude-code',
  acpx: 'acpx',
  claudeAcp: '@agentclientprotocol/claude-agent-acp',
} as const;

export type PinnedCli = keyof typeof CLI_PACKAGES;

/** The versions package.json pins, by CLI; empty when the project's package.json is not found. */
export function pinnedCliVersions(root = projectRoot()): Partial<Record<PinnedCli, string>> {
  if (root === null) return {};
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const pins: Partial<Record<PinnedCli, string>> = {};
  for (const [cli, name] of Object.entries(CLI_PACKAGES) as [PinnedCli, string][]) {
    if (dependencies[name] !== undefined) pins[cli] = dependencies[name];
  }
  return pins;
}

/** The version number in a `--version` line (`2.1.331 (Claude Code)` → `2.1.331`), else null. */
export function versionNumber(line: string | null): string | null {
  return /(?<![\d.])\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?/.exec(line ?? '')?.[0] ?? null;
}

/**
 * The version of the npm package an executable comes from: its symlink followed to the nearest
 * package.json of that name (an adapter has no `--version`). Null when it is not from that package.
 */
export function packageVersionOfBin(bin: string, packageName: string): string | null {
  let dir: string;
  try {
    dir = path.dirname(fs.realpathSync(bin));
  } catch {
    return null;
  }
  for (; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === packageName) return pkg.version ?? null;
    } catch {
      // no package.json here: look further up
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** What to say when an installed CLI is not the pinned version; null when it is, or when either is unknown. */
export function pinMismatch(cli: PinnedCli, installed: string | null, pinned: string | undefined): string | null {
  if (installed === null || pinned === undefined || installed === pinned) return null;
  return `${CLI_PACKAGES[cli]} is ${installed}, not the ${pinned} package.json pins and the tests passed with: "npm ci" restores the pinned one (a pin moves only after "npm run compat" passes)`;
}
