import * as net from 'node:net';

/**
 * Sends `request` byte for byte on a new connection and resolves with everything the server wrote
 * until it closed the connection (or `timeoutMs` passed): for request lines no HTTP client would
 * send (an absolute-form target, `OPTIONS *`, CONNECT).
 */
export function rawRequest(port: number, request: string | Buffer, options: { host?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, options.host ?? '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.once('error', (error) => (answer === '' ? reject(error) : resolve(answer)));
    // Not end(): a half-closed request may be dropped before it is answered.
    socket.write(request);
    setTimeout(() => socket.destroy(), options.timeoutMs ?? 5000).unref();
  });
}

/** The status and the JSON body of a raw answer (`Connection: close` keeps it to one). */
export function parseRawAnswer(answer: string): { status: number; headers: string; body: unknown } {
  const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(answer)?.[1] ?? 0);
  const split = answer.indexOf('\r\n\r\n');
  const headers = split < 0 ? answer : answer.slice(0, split);
  let text = split < 0 ? '' : answer.slice(split + 4);
  if (/^transfer-encoding: *chunked/im.test(headers)) text = unchunk(text);
  let body: unknown = null;
  try {
    body = JSON.parse(Buffer.from(text, 'latin1').toString('utf8'));
  } catch {
    body = text;
  }
  return { status, headers, body };
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const line = rest.indexOf('\r\n');
    if (line < 0) return out;
    const size = parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}
