import { Ran, run, RunOptions } from './shell';

/**
 * Debian's podman 4.3 as this kind of host needs it: runc (crun fails on hybrid cgroups), the
 * cgroupfs manager (no systemd), host network, and ulimits no higher than the host's hard limits
 * (podman's own defaults can exceed them, and the container then fails to start). Everything it
 * creates is remembered, so removeAll() leaves the machine as it was, whatever failed.
 */
const PODMAN_NPROC = 32768;

export class Podman {
  private readonly containers = new Set<string>();
  private readonly volumes = new Set<string>();
  private readonly images = new Set<string>();

  private constructor(readonly ulimits: string[]) {}

  static async open(): Promise<Podman> {
    const limits = await run('bash', ['-c', 'ulimit -Hn; ulimit -Hu']);
    const [nofile, nproc] = limits.stdout.trim().split('\n');
    // podman 4.3 sets its own process limit to 32768 at start, and a container cannot raise its
    // limits above what it inherits from podman.
    const processes = /^\d+$/.test(nproc) ? Math.min(Number(nproc), PODMAN_NPROC) : PODMAN_NPROC;
    const ulimits = [...(/^\d+$/.test(nofile) ? ['--ulimit', `nofile=${nofile}:${nofile}`] : []), '--ulimit', `nproc=${processes}:${processes}`];
    return new Podman(ulimits);
  }

  /** podman with this host's global flags. */
  cmd(args: string[], options?: RunOptions): Promise<Ran> {
    return run('podman', ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', ...args], options);
  }

  async imageExists(tag: string): Promise<boolean> {
    return (await this.cmd(['image', 'exists', tag], { allowFailure: true })).code === 0;
  }

  /** An image this run builds and removes at the end. */
  ownImage(tag: string): void {
    this.images.add(tag);
  }

  async createVolume(name: string): Promise<string> {
    this.volumes.add(name);
    await this.cmd(['volume', 'create', name]);
    return name;
  }

  /** `podman run -d` on the host's network; returns the container's name. */
  async start(name: string, image: string, flags: string[]): Promise<string> {
    this.containers.add(name);
    await this.cmd(['run', '-d', '--name', name, '--network', 'host', ...this.ulimits, ...flags, image]);
    return name;
  }

  exec(container: string, command: string[], options: RunOptions & { user?: string } = {}): Promise<Ran> {
    const interactive = options.input === undefined ? [] : ['-i'];
    const user = options.user ? ['--user', options.user] : [];
    return this.cmd(['exec', ...interactive, ...user, container, ...command], options);
  }

  async remove(container: string): Promise<void> {
    await this.cmd(['rm', '--force', '--volumes', '--time', '10', container], { allowFailure: true });
    this.containers.delete(container);
  }

  /** Containers first (they hold the volumes), then volumes, then this run's images. */
  async removeAll(): Promise<string[]> {
    const left: string[] = [];
    for (const name of this.containers) await this.remove(name);
    for (const name of this.volumes) {
      const removed = await this.cmd(['volume', 'rm', '--force', name], { allowFailure: true });
      if (removed.code !== 0) left.push(`volume ${name}`);
    }
    for (const tag of this.images) {
      const removed = await this.cmd(['rmi', '--force', tag], { allowFailure: true });
      if (removed.code !== 0) left.push(`image ${tag}`);
    }
    return left;
  }
}
