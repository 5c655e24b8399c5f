import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * In WAL mode, synchronous=NORMAL cannot corrupt the database and skips an fsync on every
 * commit (a power cut may lose the last few audit rows, never the file).
 */
@Injectable()
export class SqliteTuning implements OnModuleInit {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (this.db.options.type === 'sqlite') await this.db.query('PRAGMA synchronous = NORMAL');
  }
}
