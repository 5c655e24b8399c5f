// What the specs need from the system beyond Node and npm, and how `npm test` brings what is missing:
// Debian's packages through apt-get, as root (or through `sudo -n` where that works without a
// password), saying in one line what it installs. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** On PATH? */
export function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Debian's PostgreSQL server binaries (package postgresql), as test/support/postgres.ts finds them. */
export function postgresServerInstalled() {
  const root = '/usr/lib/postgresql';
  return fs.existsSync(root) && fs.readdirSync(root).some((version) => fs.existsSync(`${root}/${version}/bin/pg_ctl`));
}

/**
 * A system tool a pass needs: `present()` says whether it is there, `packages` what apt-get installs
 * for it, `why` what uses it (printed with the install line and in the message when it cannot be).
 */
export const SYSTEM_TOOLS = {
  sandbox: {
    label: 'bubblewrap and socat',
    why: "the OS sandbox of approve-all agents' shell (test/confinement.e2e-spec.ts)",
    packages: ['bubblewrap', 'socat'],
    present: () => onPath('bwrap') && onPath('socat'),
  },
  postgres: {
    label: 'PostgreSQL',
    why: 'the throwaway clusters of the DATABASE_URL specs and the PostgreSQL pass',
    packages: ['postgresql'],
    present: postgresServerInstalled,
  },
};

let updated = false;

/**
 * Installs `tool`'s packages with apt-get when it is missing. Returns null when it is there (now or
 * already), else the reason it could not be brought.
 */
export function bring(tool, say) {
  if (tool.present()) return null;
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const install = `apt-get install ${tool.packages.join(' ')}`;
  if (!asRoot && !sudo) return `${tool.label} missing, and this is not root: run "${install}" as root (${tool.why})`;
  if (!onPath('apt-get')) return `${tool.label} missing, and there is no apt-get here to install it with: install ${tool.packages.join(', ')} (${tool.why})`;
  say(`installing ${tool.packages.join(' ')} with apt-get${sudo ? ' (sudo)' : ''}: ${tool.why}`);
  const run = (args) => {
    const [command, argv] = sudo ? ['sudo', ['-n', ...args]] : [args[0], args.slice(1)];
    return spawnSync(command, argv, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  // The package lists of a fresh machine may be empty or old: read them once per run.
  if (!updated) {
    const update = run(['apt-get', 'update', '-qq']);
    if (update.status !== 0) return `apt-get update failed (${update.status}): ${(update.stderr || update.stdout).trim().split('\n').slice(-3).join(' / ')}`;
    updated = true;
  }
  const result = run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...tool.packages]);
  if (result.status !== 0) return `${install} failed (${result.status}): ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ')}`;
  if (!tool.present()) return `${install} ran, but ${tool.label} is still not there`;
  return null;
}
