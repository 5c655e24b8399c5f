import { signedIn } from './session';

/** An answer of the API other than 2xx, with its error code and message as the server gave them. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Dispatched on window when the signed-in token is refused (revoked, or the admin token changed). */
export const UNAUTHORIZED_EVENT = 'console:unauthorized';

/** One request to the API with `token` (the signed-in one unless given) as the bearer. */
export async function api<T>(path: string, init: RequestInit = {}, given?: string): Promise<T> {
  const token = given ?? signedIn()?.token;
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('Authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiFailure(0, 'unreachable', 'the gateway did not answer');
  }
  const text = await res.text();
  if (!res.ok) {
    let code = 'http_error';
    let message = `HTTP ${res.status}`;
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // not JSON: the status says it
    }
    if (res.status === 401 && given === undefined) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, { detail: message }));
    throw new ApiFailure(res.status, code, message);
  }
  return (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
}

/** Every page of a paged list, up to `max` items. */
export async function all<T>(path: string, max = 5000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: Page<T> = await api<Page<T>>(`${path}${sep}limit=1000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor !== null && items.length < max);
  return items;
}

export function jsonBody(value: unknown): RequestInit['body'] {
  return JSON.stringify(value);
}
