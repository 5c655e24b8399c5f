import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The project's own pinned CLI (`node_modules/.bin/<name>` in the nearest ancestor that has one),
 * else the bare name so the child is looked up on PATH.
 */
export function resolveCliBin(name: string, from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '.bin', name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return name;
  }
}
