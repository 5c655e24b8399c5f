import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';

/**
 * The floors a cheap request is compared with, each in a process of its own as the gateway is:
 * `express` is a bare Express 5 route, `nest` a bare NestJS 11 controller on the same adapter,
 * both answering the JSON of an empty GET /sessions page. Prints `listening <port>` when ready.
 */
const PAGE = { ok: true, items: [], next_cursor: null };

@Controller('sessions')
class PageController {
  @Get()
  list(): typeof PAGE {
    return PAGE;
  }
}

@Module({ controllers: [PageController] })
class FloorModule {}

async function main(kind: string): Promise<void> {
  if (kind === 'express') {
    const app = express();
    app.disable('x-powered-by');
    app.get('/sessions', (_req, res) => {
      res.json(PAGE);
    });
    const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
    return;
  }
  const app = await NestFactory.create(FloorModule, { logger: false });
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  await app.listen(0, '127.0.0.1');
  console.log(`listening ${(app.getHttpServer().address() as { port: number }).port}`);
}

void main(process.argv[2] ?? 'express');
