import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/** The version in the project's package.json, found from source and from dist alike. */
export function appVersion(from = __dirname): string {
  if (cached !== undefined) return cached;
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'clawdforge' && pkg.version) return (cached = pkg.version);
    }
    if (path.dirname(dir) === dir) return (cached = '0.0.0');
  }
}
