import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, MoreThan, Repository } from 'typeorm';
import { BackgroundRun, BackgroundRunEvent } from './background-run.entity';

/** The `background_runs` and `background_run_events` tables, and nothing else. */
@Injectable()
export class BackgroundRunsRepository {
  constructor(
    @InjectRepository(BackgroundRun) private readonly runs: Repository<BackgroundRun>,
    @InjectRepository(BackgroundRunEvent) private readonly events: Repository<BackgroundRunEvent>,
  ) {}

  insert(run: Omit<BackgroundRun, 'id'>): Promise<BackgroundRun> {
    return this.runs.save(this.runs.create(run));
  }

  /** The token's run by its public id; null for another token's. */
  ofToken(tokenId: number, runId: string): Promise<BackgroundRun | null> {
    return this.runs.findOneBy({ tokenId, runId });
  }

  /** The token's runs, newest first, `limit` of them after the cursor's row id. */
  page(tokenId: number, limit: number, beforeId?: number): Promise<BackgroundRun[]> {
    return this.runs.find({ where: { tokenId, ...(beforeId === undefined ? {} : { id: LessThan(beforeId) }) }, order: { id: 'DESC' }, take: limit });
  }

  async update(runId: string, fields: Partial<Omit<BackgroundRun, 'id' | 'runId'>>): Promise<void> {
    await this.runs.update({ runId }, fields);
  }

  async appendEvents(events: BackgroundRunEvent[]): Promise<void> {
    if (events.length > 0) await this.events.insert(events);
  }

  /** The run's events after `afterSeq`, in order. */
  eventsAfter(runId: string, afterSeq: number): Promise<BackgroundRunEvent[]> {
    return this.events.find({ where: { runId, seq: MoreThan(afterSeq) }, order: { seq: 'ASC' } });
  }

  /** Runs this instance had queued or running when it stopped. */
  unfinishedOn(instanceId: string): Promise<BackgroundRun[]> {
    return this.runs.findBy({ instanceId, status: In(['queued', 'running']) });
  }

  /** Ended runs past their time, and their events; returns how many runs went. */
  async deleteExpired(now: Date): Promise<number> {
    const expired = await this.runs.createQueryBuilder('run').select('run.runId', 'runId').where('run.expires_at <= :now', { now: now.toISOString() }).getRawMany<{ runId: string }>();
    if (expired.length === 0) return 0;
    const ids = expired.map((row) => row.runId);
    await this.events.delete({ runId: In(ids) });
    await this.runs.delete({ runId: In(ids) });
    return ids.length;
  }
}
