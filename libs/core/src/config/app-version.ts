import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from './project-root';

let cached: string | undefined;

/** The version in the project's package.json, found from source and from dist alike. */
export function appVersion(from = __dirname): string {
  if (cached !== undefined) return cached;
  const root = projectRoot(from);
  const pkg = root === null ? {} : (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string });
  return (cached = pkg.version ?? '0.0.0');
}
