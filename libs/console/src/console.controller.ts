import { Controller, Get, Header, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { NotFoundError } from '@clawdforge/core';
import { Public } from '@clawdforge/auth';
import { ConsoleBundle, ConsoleFile } from './console-bundle';
import { CONSOLE_HEADERS } from './console-headers';

/** Asset names as the build writes them: a name, a content hash, an extension. */
const ASSET_NAME = /^[A-Za-z0-9_-]{1,80}\.(js|css|svg)$/;

/**
 * The operator's console: one page and its hashed assets, behind the IP allowlist like every
 * route. It holds no data: the page signs in with a token and calls the documented API.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  constructor(private readonly bundle: ConsoleBundle) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  page(@Req() req: Request, @Res() res: Response): void {
    const page = this.bundle.file('index.html');
    if (!page) throw new NotFoundError('not_found', 'the console is not built: run npm run build');
    send(req, res, page);
  }

  @Get('assets/:name')
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  asset(@Param('name') name: string, @Req() req: Request, @Res() res: Response): void {
    const file = ASSET_NAME.test(name) ? this.bundle.file(`assets/${name}`) : undefined;
    if (!file) throw new NotFoundError('not_found', 'no such console asset');
    send(req, res, file);
  }
}

function send(req: Request, res: Response, file: ConsoleFile): void {
  res.set(CONSOLE_HEADERS);
  res.setHeader('Content-Type', file.type);
  res.setHeader('Vary', 'Accept-Encoding');
  const gzip = file.gzip !== null && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.end(gzip ? file.gzip : file.body);
}
