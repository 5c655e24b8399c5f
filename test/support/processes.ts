import * as fs from 'node:fs';

/** Pids of live processes whose command line contains `marker`, read from /proc. */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (cmdline.includes(marker) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/**
 * Every live descendant of `root`, zombies included (a zombie is a child nobody reaped), except the
 * processes in `spared` and theirs.
 */
export function descendantsOf(root: number, spared: readonly number[] = []): { pid: number; state: string; cmdline: string }[] {
  const children = new Map<number, number[]>();
  const info = new Map<number, { state: string; cmdline: string }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? '?';
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      info.set(Number(entry), { state, cmdline });
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const found: { pid: number; state: string; cmdline: string }[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (spared.includes(child)) continue;
      found.push({ pid: child, ...info.get(child)! });
      walk(child);
    }
  };
  walk(root);
  return found;
}

export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

/**
 * Descendants of this process that are not a warm spare of the server, once those being retired have
 * had a moment to go: a run must leave nothing behind but the spares the pool keeps on purpose.
 */
export async function strayChildren(sparePids: () => number[]): Promise<{ pid: number; state: string; cmdline: string }[]> {
  await eventually(() => descendantsOf(process.pid, sparePids()).length === 0);
  return descendantsOf(process.pid, sparePids());
}
