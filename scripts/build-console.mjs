// Builds the operator's console (apps/console) into dist/console: one hashed script and one hashed
// stylesheet under assets/, each with a gzip copy the server sends to browsers that take it, and
// index.html naming them. Run by `npm run build` after the server's own build.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const root = path.join(import.meta.dirname, '..');
const source = path.join(root, 'apps', 'console');
const out = path.join(root, 'dist', 'console');
/** The console's whole compressed JavaScript may not pass this. */
const MAX_GZIP_JS_BYTES = 150 * 1024;

fs.rmSync(out, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { console: path.join(source, 'src', 'main.ts') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  tsconfig: path.join(source, 'tsconfig.json'),
});
const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined);
if (!entry || !entry[1].cssBundle) throw new Error('the console build made no script or no stylesheet');
const script = path.basename(entry[0]);
const style = path.basename(entry[1].cssBundle);
const page = fs.readFileSync(path.join(source, 'index.html'), 'utf8').replace('%SCRIPT%', script).replace('%STYLE%', style);
fs.writeFileSync(path.join(out, 'index.html'), page);

let jsGzip = 0;
for (const name of ['index.html', ...fs.readdirSync(path.join(out, 'assets')).map((f) => path.join('assets', f))]) {
  const file = path.join(out, name);
  const gz = zlib.gzipSync(fs.readFileSync(file), { level: 9 });
  fs.writeFileSync(`${file}.gz`, gz);
  if (name.endsWith('.js')) jsGzip += gz.length;
}
if (jsGzip > MAX_GZIP_JS_BYTES) throw new Error(`the console's JavaScript is ${jsGzip} bytes gzipped, over ${MAX_GZIP_JS_BYTES}`);
console.log(`console: ${script} and ${style} in dist/console (${(jsGzip / 1024).toFixed(1)} KiB of gzipped JavaScript)`);
