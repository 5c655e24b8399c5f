import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { type RequestContext, requestLogFields } from '@clawdforge/core';

/** Which request a child served, for the audit row of a run the server died in. */
export interface ChildOwner {
  requestId: string | null;
  tokenName: string | null;
  clientIp: string | null;
  method: string | null;
  route: string | null;
  startedAt: string;
  model: string | null;
  sessionId: string | null;
  turnIndex: number | null;
}

/** The owner record of a child serving `request`, as the request stands now (its model, session and turn set). */
export function childOwnerOf(request: RequestContext): ChildOwner {
  return {
    requestId: request.requestId,
    tokenName: request.tokenName,
    clientIp: request.clientIp,
    method: request.method,
    route: request.route,
    startedAt: new Date(request.startedAtEpochMs).toISOString(),
    model: request.audit.model ?? null,
    sessionId: request.audit.sessionId ?? null,
    turnIndex: request.audit.turnIndex ?? null,
  };
}

interface ChildRecord {
  pid: number;
  /** The kernel's start time of the process, so a recycled pid is never mistaken for it. */
  start: string | null;
  host: string;
  serverPid: number;
  serverStart: string | null;
  owner: ChildOwner | null;
}

/**
 * Every child process group the server starts, one small file each under a directory that outlives
 * the process. A server killed with -9 leaves its children (a run's claude, its grandchildren) with
 * nobody to stop them; the next start reads what is left here and kills those groups. Records of a
 * server still alive (the admin CLI, another instance) or of another host are left alone.
 */
export class ChildRegistry {
  private readonly logger = new Logger(ChildRegistry.name);
  private readonly host = os.hostname();
  private readonly selfStart = startTimeOf(process.pid);

  constructor(private readonly dir: string) {}

  /** Synchronous, so the record exists before anything else can happen to the child. */
  record(pid: number, owner: ChildOwner | null): void {
    const record: ChildRecord = { pid, start: startTimeOf(pid), host: this.host, serverPid: process.pid, serverStart: this.selfStart, owner };
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(this.fileOf(pid), JSON.stringify(record), { mode: 0o600 });
    } catch (error) {
      this.logger.error(requestLogFields(owner), `child ${pid} not recorded: ${(error as Error).message}`);
    }
  }

  forget(pid: number): void {
    fs.rmSync(this.fileOf(pid), { force: true });
  }

  /** Kills the process groups of servers that are gone, and returns whom those children served. */
  reapOrphans(): ChildOwner[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((name) => /^\d+\.json$/.test(name));
    } catch {
      return [];
    }
    const interrupted: ChildOwner[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      let record: ChildRecord;
      try {
        record = JSON.parse(fs.readFileSync(file, 'utf8')) as ChildRecord;
      } catch {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (record.host !== this.host || isAlive(record.serverPid, record.serverStart)) continue;
      // A group id is the pid of its first leader, and no new process takes that pid while the group
      // lives: so unless another process now holds the pid, whatever is in that group is ours (the
      // leader may be gone and its grandchildren not).
      if (!pidTakenByAnother(record.pid, record.start) && killGroup(record.pid)) {
        this.logger.warn(`killed process group ${record.pid}, left running by a server that is gone`);
      }
      if (record.owner) interrupted.push(record.owner);
      fs.rmSync(file, { force: true });
    }
    return interrupted;
  }

  private fileOf(pid: number): string {
    return path.join(this.dir, `${pid}.json`);
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number, start: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const now = startTimeOf(pid);
  return start === null || now === null || now === start;
}

function pidTakenByAnother(pid: number, start: string | null): boolean {
  const now = startTimeOf(pid);
  return now !== null && start !== null && now !== start;
}

/** True when there was a group to kill. */
function killGroup(pid: number): boolean {
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
