/**
 * npm run test:container: the image, built from this checkout and run, on a host with no Docker
 * engine. Debian's podman (runc, cgroupfs, host network) builds docker/Dockerfile in docker format
 * (OCI drops HEALTHCHECK) on bases equal in content to node:22-bookworm-slim and debian:bookworm-slim
 * made without Docker Hub (base-image.ts; podman keeps them for later runs), with the host's npm registry and CA passed to
 * the build as docs/deploy.md tells a site behind a mirror or a proxy to. Then it walks the deploy
 * road (deploy-walk.ts) with the fake model API on the host's loopback, prints what it measured,
 * and removes every container, volume, image and directory it made, whatever happened. Exit 1 if
 * any step fails. Not part of `npm test`: it needs root, apt and several minutes.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeModelApi } from '../../test/fixtures/fake-model-api/fake-model-api';
import { ensureBaseImages } from './base-image';
import { walkDeployRoad } from './deploy-walk';
import { ModelScript } from './model-script';
import { Podman } from './podman';
import { run, secondsSince } from './shell';

const ROOT = path.resolve(__dirname, '..', '..');
const figures: [string, string][] = [];
let failed = false;

const say = (line: string) => process.stdout.write(`container: ${line}\n`);
const figure = (name: string, value: string) => figures.push([name, value]);

async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await body();
    say(`ok    ${name} (${secondsSince(started)} s)`);
    return result;
  } catch (error) {
    say(`FAIL  ${name}: ${(error as Error).message}`);
    failed = true;
    throw new StepFailed();
  }
}

class StepFailed extends Error {}

/** podman, runc and mmdebstrap from Debian's archive when missing (root only). */
async function ensureTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of ['podman', 'runc', 'mmdebstrap']) {
    if ((await run('sh', ['-c', `command -v ${tool}`], { allowFailure: true })).code !== 0) missing.push(tool);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`${missing.join(', ')} missing, and only root can install them here (apt-get install ${missing.join(' ')})`);
  say(`installing ${missing.join(' ')} (apt-get install --no-install-recommends)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

/**
 * The host's npm settings for the build, given the way docs/deploy.md says: the registry as the
 * NPM_REGISTRY build argument, and a directory as the `npm-config` build context with the CA
 * certificates the host's npm trusts (its cafile and NODE_EXTRA_CA_CERTS) and its proxy settings.
 */
async function npmSettingsForBuild(work: string): Promise<string[]> {
  const get = async (key: string) => {
    const value = (await run('npm', ['config', 'get', key], { cwd: work })).stdout.trim();
    return value === 'null' || value === 'undefined' || value === '' ? null : value;
  };
  const registry = (await get('registry')) ?? 'https://registry.npmjs.org/';
  const dir = fs.mkdtempSync(path.join(work, 'npm-config-'));
  const caFiles = [...new Set([await get('cafile'), process.env.NODE_EXTRA_CA_CERTS].filter((file): file is string => !!file && fs.existsSync(file)))];
  if (caFiles.length > 0) fs.writeFileSync(path.join(dir, 'ca.pem'), caFiles.map((file) => fs.readFileSync(file, 'utf8')).join('\n'));
  const npmrc: string[] = [];
  for (const key of ['proxy', 'https-proxy', 'noproxy']) {
    const value = await get(key);
    if (value) npmrc.push(`${key}=${value}`);
  }
  if (npmrc.length > 0) fs.writeFileSync(path.join(dir, 'npmrc'), `${npmrc.join('\n')}\n`);
  say(`npm settings for the build: NPM_REGISTRY=${registry}; npm-config holds ${[caFiles.length ? `ca.pem (${caFiles.join(', ')})` : '', npmrc.length ? `npmrc (${npmrc.map((l) => l.split('=')[0]).join(', ')})` : ''].filter(Boolean).join(', ') || 'nothing'}`);
  return ['--build-arg', `NPM_REGISTRY=${registry}`, '--build-context', `npm-config=${dir}`];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function pins(): { claude: string; acpx: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return { claude: pkg.dependencies['@anthropic-ai/claude-code'], acpx: pkg.dependencies.acpx };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-container-'));
  let podman: Podman | null = null;
  let api: FakeModelApi | null = null;
  try {
    await step('podman, runc and mmdebstrap present', ensureTools);
    podman = await Podman.open();
    const pod = podman;
    const bases = await step('the bases (debian:bookworm-slim and node:22-bookworm-slim without Docker Hub)', () => ensureBaseImages(pod, work, say));
    figure('bases', `${bases.node} and ${bases.debian}, ${bases.builtSecs === null ? 'kept from an earlier run' : `built in ${bases.builtSecs} s`}`);
    const image = `localhost/clawdforge:container-test-${process.pid}`;
    await step('the image from this checkout (podman build --format docker)', async () => {
      const settings = await npmSettingsForBuild(work);
      pod.ownImage(image);
      const started = performance.now();
      await pod.cmd(
        ['build', '--format', 'docker', '--layers=false', '--network', 'host', ...pod.ulimits, '--build-arg', `NODE_IMAGE=${bases.node}`, '--build-arg', `DEBIAN_IMAGE=${bases.debian}`, ...settings, '-f', path.join(ROOT, 'docker', 'Dockerfile'), '-t', image, ROOT],
        { logTo: path.join(work, 'build.log') },
      );
      figure('image build', `${secondsSince(started)} s`);
      const size = Number((await pod.cmd(['image', 'inspect', '--format', '{{.Size}}', image])).stdout.trim());
      figure('image size', `${(size / 1e6).toFixed(0)} MB (${(size / 2 ** 20).toFixed(0)} MiB)`);
      const healthcheck = (await pod.cmd(['image', 'inspect', '--format', '{{json .HealthCheck}}', image])).stdout.trim();
      if (!healthcheck.includes('/healthz')) throw new Error(`the image has no HEALTHCHECK: ${healthcheck}`);
    });
    api = await FakeModelApi.start();
    const script = new ModelScript();
    api.replyWith(script.reply);
    await walkDeployRoad({ podman: pod, image, work, api, script, step, say, figure, freePort, pins: pins() });
  } catch (error) {
    if (!(error instanceof StepFailed)) {
      say(`FAIL  ${(error as Error).message}`);
      failed = true;
    }
  } finally {
    await api?.close();
    const left = podman ? await podman.removeAll() : [];
    fs.rmSync(work, { recursive: true, force: true });
    if (left.length > 0) {
      say(`FAIL  could not remove: ${left.join(', ')}`);
      failed = true;
    }
  }
  for (const [name, value] of figures) say(`${name}: ${value}`);
  say(failed ? 'FAILED' : 'passed');
  process.exitCode = failed ? 1 : 0;
}

void main();
