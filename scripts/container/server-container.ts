import * as fs from 'node:fs';
import * as path from 'node:path';
import { Podman } from './podman';
import { Ran, secondsSince } from './shell';

export interface Health {
  ok: boolean;
  claude_present: boolean;
  claude_version: string | null;
  acpx_present: boolean;
  acpx_version: string | null;
  db_ok: boolean;
  claude_logged_in: boolean;
  claude_login: { method: string | null } | null;
  agents: { session_permissions: string; shell_sandbox: string; unsandboxed_agents: boolean };
}

export interface Volumes {
  /** A host directory, owned by the image's user, as a bind-mounted /data. */
  dataDir: string;
  /** A named volume for the claude login, as compose.yml has it. */
  loginVolume: string;
}

/** One container of the image on the host's network, and the HTTP API it serves. */
export class ServerContainer {
  private constructor(
    private readonly podman: Podman,
    readonly name: string,
    readonly base: string,
  ) {}

  /**
   * Starts it with the settings of an env file (as compose's env_file gives them) on the given
   * volumes, and waits until /healthz answers; returns it with the seconds that took.
   */
  static async start(
    podman: Podman,
    options: { name: string; image: string; port: number; env: Record<string, string>; volumes: Volumes; flags?: string[]; work: string },
  ): Promise<{ container: ServerContainer; healthySecs: number }> {
    const envFile = path.join(options.work, `${options.name}.env`);
    fs.writeFileSync(envFile, Object.entries({ ...options.env, PORT: String(options.port) }).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
    const started = performance.now();
    await podman.start(options.name, options.image, [
      '--env-file', envFile,
      '--volume', `${options.volumes.dataDir}:/data`,
      '--volume', `${options.volumes.loginVolume}:/home/clawdforge/.claude`,
      ...(options.flags ?? []),
    ]);
    const container = new ServerContainer(podman, options.name, `http://127.0.0.1:${options.port}`);
    await container.waitHealthy(60_000);
    return { container, healthySecs: secondsSince(started) };
  }

  exec(command: string[], input?: string): Promise<Ran> {
    return this.podman.exec(this.name, command, { input, allowFailure: true, timeoutMs: 120_000 });
  }

  async health(): Promise<Health> {
    const res = await fetch(`${this.base}/healthz`);
    if (res.status !== 200) throw new Error(`/healthz answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Health;
  }

  /** An HTTP call with a bearer token; the status and the parsed JSON body. */
  async call(method: string, route: string, token: string, body?: object): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.base}${route}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(300_000),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
    } catch {
      return { status: res.status, body: { text } };
    }
  }

  /** `podman stop` with compose's 45 s grace; the seconds it took and the server's exit code. */
  async stop(): Promise<{ secs: number; exitCode: number }> {
    const started = performance.now();
    await this.podman.cmd(['stop', '--time', '45', this.name]);
    const secs = secondsSince(started);
    const inspected = await this.podman.cmd(['inspect', '--format', '{{.State.ExitCode}}', this.name]);
    return { secs, exitCode: Number(inspected.stdout.trim()) };
  }

  async logs(): Promise<string> {
    const logs = await this.podman.cmd(['logs', this.name], { allowFailure: true });
    return `${logs.stdout}${logs.stderr}`;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      const state = await this.podman.cmd(['inspect', '--format', '{{.State.Running}}', this.name], { allowFailure: true });
      if (state.stdout.trim() === 'false') throw new Error(`the container exited before answering /healthz:\n${(await this.logs()).slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`/healthz did not answer in ${timeoutMs / 1000} s:\n${(await this.logs()).slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
