import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS, POSTGRES_MIGRATIONS } from '@clawdforge/core';
import { makeDataDir, startTestApp } from './support/test-app';
import { ProbeController } from './support/probe.controller';

describe('persistence across restarts', () => {
  it('keeps tokens, revocations and audit rows in the same database', async () => {
    const dataDir = makeDataDir();
    const first = await startTestApp({}, { dataDir, controllers: [ProbeController] });
    const kept = await first.mintToken('kept');
    const gone = await first.mintToken('gone');
    await first.admin('delete', '/admin/tokens/gone').expect(200);
    await first.http().get('/test-probe').set('Authorization', `Bearer ${kept}`).expect(200);
    const onPostgres = first.config.database.url !== null;
    await first.close();
    // SQLite: the file in DATA_DIR; PostgreSQL: nothing of the state in DATA_DIR.
    expect(fs.existsSync(path.join(dataDir, 'clawdforge.db'))).toBe(!onPostgres);

    const second = await startTestApp({}, { dataDir, controllers: [ProbeController] });
    try {
      await second.http().get('/test-probe').set('Authorization', `Bearer ${kept}`).expect(200);
      await second.http().get('/test-probe').set('Authorization', `Bearer ${gone}`).expect(401);
      const audit = await second.admin('get', '/admin/audit').query({ token: 'kept' }).expect(200);
      expect(audit.body.items.length).toBeGreaterThanOrEqual(1);
      await second.admin('post', '/admin/tokens').send({ name: 'kept' }).expect(409);
    } finally {
      await second.close();
    }
  });

  it('runs its migrations once and records them', async () => {
    const dataDir = makeDataDir();
    const first = await startTestApp({}, { dataDir });
    await first.close();
    const second = await startTestApp({}, { dataDir });
    try {
      const db = second.app.get(DataSource);
      const onPostgres = db.options.type === 'postgres';
      const rows = await db.query('SELECT name FROM migrations ORDER BY id');
      // Each once, in order.
      const expected = onPostgres ? POSTGRES_MIGRATIONS : MIGRATIONS;
      expect(rows.map((r: { name: string }) => r.name)).toEqual(expected.map((migration) => new migration().name));
      if (onPostgres) return;
      const [{ journal_mode }] = await db.query('PRAGMA journal_mode');
      expect(journal_mode).toBe('wal');
    } finally {
      await second.close();
    }
  });
});
