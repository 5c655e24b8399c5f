import * as fs from 'node:fs';
import * as path from 'node:path';
import { MIGRATIONS } from '../libs/core/src/database/migrations';
import { makeDataDir, startTestApp } from './support/test-app';
import { ProbeController } from './support/probe.controller';

describe('persistence across restarts', () => {
  it('keeps tokens, revocations and audit rows in the same SQLite file', async () => {
    const dataDir = makeDataDir();
    const first = await startTestApp({}, { dataDir, controllers: [ProbeController] });
    const kept = await first.mintToken('kept');
    const gone = await first.mintToken('gone');
    await first.admin('delete', '/admin/tokens/gone').expect(200);
    await first.http().get('/test-probe').set('Authorization', `Bearer ${kept}`).expect(200);
    await first.close();
    expect(fs.existsSync(path.join(dataDir, 'clawdforge.db'))).toBe(true);

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
      const { DataSource } = await import('typeorm');
      const rows = await second.app.get(DataSource).query('SELECT name FROM migrations');
      // Each once, in order.
      expect(rows.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map((migration) => new migration().name));
      const [{ journal_mode }] = await second.app.get(DataSource).query('PRAGMA journal_mode');
      expect(journal_mode).toBe('wal');
    } finally {
      await second.close();
    }
  });
});
