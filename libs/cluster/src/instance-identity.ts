import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '@clawdforge/core';

/**
 * Which instance of the gateway this is, kept in DATA_DIR/instance-id so it survives restarts: the
 * processes a session's agent runs in live on one instance, which alone may drive or sweep it. The
 * server and the admin CLI on the same DATA_DIR are the same instance.
 */
export class InstanceIdentity {
  constructor(readonly id: string) {}

  static load(config: AppConfig): InstanceIdentity {
    const file = path.join(config.paths.dataDir, 'instance-id');
    try {
      return new InstanceIdentity(fs.readFileSync(file, 'utf8').trim());
    } catch {
      fs.mkdirSync(config.paths.dataDir, { recursive: true });
      const id = randomUUID();
      try {
        fs.writeFileSync(file, `${id}\n`, { flag: 'wx', mode: 0o644 });
        return new InstanceIdentity(id);
      } catch {
        // Another process of this instance wrote it first.
        return new InstanceIdentity(fs.readFileSync(file, 'utf8').trim());
      }
    }
  }
}
