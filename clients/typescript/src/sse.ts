import { ClawdforgeError } from './errors.js';

export interface ServerSentEvent {
  event: string;
  data: unknown;
  /** The event's `id:` when it has one (a background run's events are numbered). */
  id?: string;
}

/** Reads Server-Sent Events from a fetch response body as they arrive; comments (heartbeats) are skipped. */
export async function* readEvents(res: Response): AsyncGenerator<ServerSentEvent> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
        else if (line.startsWith('id: ')) id = line.slice(4);
      }
      if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) as unknown, ...(id === undefined ? {} : { id }) };
    }
  }
}

/** The error an `error` event carries, as a ClawdforgeError. */
export function streamError(data: unknown, requestId: string | null): ClawdforgeError {
  const error = (data as { error?: { code?: string; message?: string; field?: string } }).error ?? {};
  return new ClawdforgeError(error.code ?? 'stream_error', 200, error.message ?? 'the stream reported an error', requestId, error.field ?? null);
}
