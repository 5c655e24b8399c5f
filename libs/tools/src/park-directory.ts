import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InstanceIdentity, InstanceRegistry } from '@clawdforge/cluster';

/**
 * Where each parked run waits, for instances that share one PostgreSQL: a row per tool call the run
 * waits on, naming its owner (the token) and this instance, until the run is claimed, ends or its
 * park expires. A continuation that finds no parked run in its own instance asks here which
 * instance holds it. With SQLite (one instance) nothing is written and nothing is found.
 */
@Injectable()
export class ParkDirectory {
  private readonly logger = new Logger(ParkDirectory.name);

  constructor(
    private readonly registry: InstanceRegistry,
    private readonly instance: InstanceIdentity,
    private readonly db: DataSource,
  ) {}

  /** Records that this instance holds the run waiting on `ids` for `owner` until `expiresAt`; resolves once the others can see it. */
  async record(owner: string, ids: string[], expiresAt: Date): Promise<void> {
    if (!this.registry.enabled || ids.length === 0) return;
    const rows = ids.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ');
    const params = ids.flatMap((id) => [id, owner, this.instance.id, expiresAt.toISOString()]);
    try {
      // Rows past their time (left by an instance that died) go as new ones come: no sweep of their own.
      await this.db.query(`DELETE FROM tool_run_parks WHERE expires_at <= $1`, [new Date().toISOString()]);
      // The ids are the model's; a row left by a run that died with its instance gives way.
      await this.db.query(
        `INSERT INTO tool_run_parks (call_id, owner, instance_id, expires_at) VALUES ${rows}
         ON CONFLICT (call_id) DO UPDATE SET owner = EXCLUDED.owner, instance_id = EXCLUDED.instance_id, expires_at = EXCLUDED.expires_at`,
        params,
      );
    } catch (error) {
      // Not fatal: a continuation that reaches another instance is then replayed there.
      this.logger.warn(`parked run not recorded: ${(error as Error).message}`);
    }
  }

  /** The run is no longer parked here (claimed, ended, expired). */
  forget(ids: string[]): void {
    if (!this.registry.enabled || ids.length === 0) return;
    this.db
      .query(`DELETE FROM tool_run_parks WHERE call_id = ANY($1) AND instance_id = $2`, [ids, this.instance.id])
      .catch((error: Error) => this.logger.warn(`parked run not forgotten: ${error.message}`));
  }

  /** The other instance whose run of `owner` waits on exactly the calls `ids`, unexpired; null when none (or it is this one). */
  async holder(owner: string, ids: string[]): Promise<string | null> {
    if (!this.registry.enabled || ids.length === 0) return null;
    const rows = (await this.db.query(`SELECT call_id, owner, instance_id FROM tool_run_parks WHERE call_id = ANY($1) AND expires_at > $2`, [ids, new Date().toISOString()])) as {
      call_id: string;
      owner: string;
      instance_id: string;
    }[];
    if (rows.length !== new Set(ids).size || rows.some((row) => row.owner !== owner || row.instance_id !== rows[0].instance_id)) return null;
    return rows[0].instance_id === this.instance.id ? null : rows[0].instance_id;
  }
}
