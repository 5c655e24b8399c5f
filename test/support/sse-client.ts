import * as http from 'node:http';

export interface SseEvent {
  event: string;
  data: unknown;
  /** ms since the request was sent. */
  at: number;
}

export interface SseResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  /** Raw body, for non-SSE answers. */
  text: string;
}

/**
 * POSTs JSON and reads a Server-Sent Events answer as it arrives. `until` may stop reading early
 * (the connection is then destroyed, as a client going away would).
 */
export function postSse(url: string, token: string, body: object, until?: (event: SseEvent) => boolean): Promise<SseResponse> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = http.request(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' } }, (res) => {
      const events: SseEvent[] = [];
      let text = '';
      let buffer = '';
      const finish = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, events, text });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name === undefined || data === undefined) continue;
          const event = { event: name, data: JSON.parse(data) as unknown, at: Date.now() - started };
          events.push(event);
          if (until?.(event)) {
            req.destroy();
            finish();
            return;
          }
        }
      });
      res.on('end', finish);
      res.on('error', () => finish());
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(JSON.stringify(body));
  });
}
