import { Injectable } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One file of the built console, as it is sent: its bytes, gzip-compressed bytes when the build made them, and its type. */
export interface ConsoleFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** What `npm run build` writes the console to: dist/console, whether this file runs from dist or from the sources. */
function bundleDir(): string {
  const root = path.resolve(__dirname, '..', '..', '..');
  return path.basename(root) === 'dist' ? path.join(root, 'console') : path.join(root, 'dist', 'console');
}

/**
 * The console's built files (dist/console: index.html and hashed assets), read from disk once and
 * held in memory: the whole console is a few tens of kilobytes, and a file read per request would
 * be the only disk I/O of a page load.
 */
@Injectable()
export class ConsoleBundle {
  private files: Map<string, ConsoleFile> | null = null;

  constructor(private readonly dir: string = bundleDir()) {}

  /** `index.html`, or `assets/<name>`; undefined for anything else, or when the console was not built. */
  file(name: string): ConsoleFile | undefined {
    this.files ??= this.load();
    return this.files.get(name);
  }

  private load(): Map<string, ConsoleFile> {
    const files = new Map<string, ConsoleFile>();
    const read = (name: string) => {
      const full = path.join(this.dir, name);
      const type = TYPES[path.extname(name)];
      if (type === undefined || !fs.existsSync(full)) return;
      files.set(name, { body: fs.readFileSync(full), gzip: fs.existsSync(`${full}.gz`) ? fs.readFileSync(`${full}.gz`) : null, type });
    };
    read('index.html');
    const assets = path.join(this.dir, 'assets');
    if (fs.existsSync(assets)) for (const name of fs.readdirSync(assets)) read(`assets/${name}`);
    return files;
  }
}
