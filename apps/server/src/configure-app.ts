import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AuditTrail, RefusalSampler, skipAudit } from '@clawdforge/audit';
import { ADMIN_BEARER, API_KEY_HEADER, APP_BEARER, ClientIpPolicy, ipAllowlistMiddleware } from '@clawdforge/auth';
import { AppConfig, appVersion, notOriginForm, requestLog, RootLogger, serverWideErrorLines } from '@clawdforge/core';
import { addErrorExamples } from './error-examples';
import { limitHttpServer } from './http-server-limits';

export const DOCS_PATH = 'docs';

/**
 * What cannot be a module provider: Express settings, what runs before any routing (the request
 * log, the audit hook, then the IP allowlist), and the Swagger routes, which Express serves outside Nest's router.
 * Called by main.ts and by the e2e tests alike, before the application initialises.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  app.set('trust proxy', config.server.trustProxy);
  app.disable('x-powered-by');
  // Answers are small JSON computed per request: an ETag would cost a hash of every body and save nothing.
  app.set('etag', false);
  limitHttpServer(app.getHttpServer());
  // What every request goes through before routing, in one step rather than four layers of
  // Express's stack: the request log and the audit hook (so a request refused anywhere still
  // leaves its line and its row), the IP allowlist, then the request target, which must be a path.
  const logRequest = requestLog(app.get(RootLogger).pino);
  const audit = app.get(AuditTrail);
  const allowlist = ipAllowlistMiddleware(app.get(ClientIpPolicy));
  const refusals = app.get(RefusalSampler);
  app.use((req: Request, res: Response, next: NextFunction) => {
    // No answer of ours is for a browser to sniff into something else (Swagger's pages included).
    res.setHeader('X-Content-Type-Options', 'nosniff');
    logRequest(req, res);
    audit.watch(req, res);
    allowlist(req, res, (refused?: unknown) => {
      // A peer outside the allowlist costs a bounded amount: past a few a minute, a count.
      if (refused !== undefined) refusals.refused(req);
      next(refused ?? notOriginForm(req));
    });
  });
  const docsPaths = [`/${DOCS_PATH}`, `/${DOCS_PATH}-json`, `/${DOCS_PATH}-yaml`];
  app.use(docsPaths, skipAudit);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('clawdforge')
      .setDescription(
        [
          'LAN gateway that runs Claude Code for many apps. App routes take `Authorization: Bearer cf_…`; ' +
            '`/admin/*` takes the admin token. Every error is `{"ok":false,"error":{"code","message"}}` ' +
            '(with `field` naming the request field at fault, for invalid input), except on the OpenAI- and Anthropic-compatible `/v1/*` ' +
            'routes, which answer in those APIs’ own shapes; each route lists its own below.',
          '',
          'Any route may also answer:',
          '',
          ...serverWideErrorLines(),
        ].join('\n'),
      )
      .setVersion(appVersion())
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'cf_…', description: 'An app token, `cf_…`, minted with POST /admin/tokens' }, APP_BEARER)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'ADMIN_BOOTSTRAP_TOKEN' }, ADMIN_BEARER)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An app token, `cf_…`, as the /v1 routes also take it (what Anthropic’s clients send)' }, API_KEY_HEADER)
      .build(),
  );
  SwaggerModule.setup(DOCS_PATH, app, addErrorExamples(document), { jsonDocumentUrl: `${DOCS_PATH}-json`, yamlDocumentUrl: `${DOCS_PATH}-yaml` });
  return app;
}
