import * as path from 'node:path';
import type { Type, ValueProvider } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppConfig, Clock, loadConfig } from '@clawdforge/core';
import { AppModule } from '../../apps/server/src/app.module';
import { configureApp } from '../../apps/server/src/configure-app';
import { RouteIndexedExpressAdapter } from '../../apps/server/src/route-index';

import { sharedClusterDatabase } from './postgres';
import { ADMIN_TOKEN, FAKE_CLI_DIR, makeDataDir } from './test-env';

export { ADMIN_TOKEN, FAKE_CLI_DIR, makeDataDir };

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  dataDir: string;
  http: () => ReturnType<typeof request>;
  admin: (method: 'get' | 'post' | 'patch' | 'delete', url: string) => request.Test;
  mintToken: (name: string, ipCidrs?: string[]) => Promise<string>;
  close: () => Promise<void>;
}

/**
 * The real AppModule and the same configureApp() main.ts uses, on a real SQLite file in a temp
 * DATA_DIR (in the PostgreSQL pass, on that DATA_DIR's database), with fake CLIs at the process
 * boundary unless `env` says otherwise.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { dataDir?: string; controllers?: Type[]; clock?: Clock; overrides?: ValueProvider[] } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? makeDataDir();
  const config = loadConfig({
    ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    CLAUDE_BIN: path.join(FAKE_CLI_DIR, 'claude'),
    ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx'),
    ...(env.DATABASE_URL === undefined ? await sharedClusterDatabase(dataDir) : {}),
    ...env,
  });
  let builder = Test.createTestingModule({ imports: [AppModule], controllers: options.controllers ?? [] })
    .overrideProvider(AppConfig)
    .useValue(config);
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  for (const { provide, useValue } of options.overrides ?? []) builder = builder.overrideProvider(provide).useValue(useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(new RouteIndexedExpressAdapter(), { bodyParser: false, logger: false });
  configureApp(app);
  await app.init();
  const server = app.getHttpServer();
  const http = () => request(server);
  const admin = (method: 'get' | 'post' | 'patch' | 'delete', url: string) =>
    request(server)[method](url).set('Authorization', `Bearer ${ADMIN_TOKEN}`);
  return {
    app,
    config,
    dataDir,
    http,
    admin,
    mintToken: async (name, ipCidrs) => {
      const res = await admin('post', '/admin/tokens').send(ipCidrs ? { name, ip_cidrs: ipCidrs } : { name });
      if (res.status !== 201) throw new Error(`mint ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    close: () => app.close(),
  };
}
