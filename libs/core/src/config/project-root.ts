import * as fs from 'node:fs';
import * as path from 'node:path';

/** The directory of this project's own package.json (the server's files), found from source and from dist alike. */
export function projectRoot(from = __dirname): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === 'clawdforge') return dir;
    if (path.dirname(dir) === dir) return null;
  }
}
