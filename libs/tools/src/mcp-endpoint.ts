import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { McpAnswer, McpCall, mcpAnswer, McpToolResult, toolCallResponse } from './mcp-messages';
import type { McpTool } from './tool-catalog';

/** What one run's MCP server does: list its tools, and take each call, answered later. */
export interface McpRunHandler {
  tools(): McpTool[];
  /** A tools/call; `respond` answers it (once). `gone` aborts when the CLI stops waiting for it. */
  call(call: McpCall, respond: (result: McpToolResult) => void, gone: AbortSignal): void;
}

const BODY_MAX_BYTES = 1024 * 1024;

/**
 * The network side of the tool bridge: one HTTP listener on 127.0.0.1 (a port of its own, opened
 * at the first tool run), serving each tool run's MCP server as Streamable HTTP at /mcp/<run id>
 * behind that run's bearer. A tool call is answered as an event stream that stays open while the
 * client's result is awaited, as the CLI requires (a plain JSON answer it gives up on after 60 s).
 */
@Injectable()
export class McpEndpoint implements OnApplicationShutdown {
  private readonly runs = new Map<string, { secret: Buffer; handler: McpRunHandler }>();
  private listening?: Promise<number>;
  private server?: http.Server;

  /** The URL of a run's MCP server, listening from now on. */
  async urlFor(runId: string): Promise<string> {
    const port = await this.listen();
    return `http://127.0.0.1:${port}/mcp/${runId}`;
  }

  register(runId: string, secret: string, handler: McpRunHandler): void {
    this.runs.set(runId, { secret: Buffer.from(secret), handler });
  }

  unregister(runId: string): void {
    this.runs.delete(runId);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private listen(): Promise<number> {
    this.listening ??= new Promise<number>((resolve, reject) => {
      const server = http.createServer((req, res) => void this.serve(req, res));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      this.server = server;
    });
    return this.listening;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const match = /^\/mcp\/([A-Za-z0-9_-]{1,64})$/.exec(req.url ?? '');
    const run = match ? this.runs.get(match[1]) : undefined;
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (!run || given.length !== run.secret.length || !timingSafeEqual(given, run.secret)) return end(res, 404);
    // No stream of the server's own (GET) and no session to delete: each call is answered on its own request.
    if (req.method !== 'POST') return end(res, 405);
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return end(res, 400);
    }
    const answer: McpAnswer = mcpAnswer(body, run.handler.tools());
    if (answer.kind === 'accepted') return end(res, 202);
    if (answer.kind === 'reply') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    let answered = false;
    run.handler.call(
      answer.call,
      (result) => {
        if (answered || res.writableEnded) return;
        answered = true;
        res.end(`event: message\ndata: ${JSON.stringify(toolCallResponse(answer.id, result))}\n\n`);
      },
      gone.signal,
    );
  }
}

function end(res: http.ServerResponse, status: number): void {
  res.writeHead(status).end();
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_MAX_BYTES) throw new Error('too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
