import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { IdempotencyRecord } from './idempotency-record.entity';

/** The `idempotency_keys` table, and nothing else. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectRepository(IdempotencyRecord) private readonly rows: Repository<IdempotencyRecord>) {}

  find(tokenId: number, key: string): Promise<IdempotencyRecord | null> {
    return this.rows.findOneBy({ tokenId, key });
  }

  /** Inserts `record` unless its token already has its key; true when this call inserted it (of two racing, one does). */
  async claim(record: IdempotencyRecord): Promise<boolean> {
    try {
      await this.rows.insert(record);
      return true;
    } catch (error) {
      if ((await this.find(record.tokenId, record.key)) !== null) return false;
      throw error;
    }
  }

  async finish(tokenId: number, key: string, answer: Pick<IdempotencyRecord, 'status' | 'headers' | 'body' | 'expiresAt'>): Promise<void> {
    await this.rows.update({ tokenId, key }, { ...answer, state: 'done' });
  }

  async remove(tokenId: number, key: string): Promise<void> {
    await this.rows.delete({ tokenId, key });
  }

  /** Keys still `running` on `instanceId` (at its start: the requests a crash cut short). */
  runningOn(instanceId: string): Promise<IdempotencyRecord[]> {
    return this.rows.findBy({ instanceId, state: 'running' });
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.rows.createQueryBuilder().delete().where('expires_at <= :now', { now: now.toISOString() }).execute();
    return result.affected ?? 0;
  }
}
