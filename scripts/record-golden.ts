/**
 * npm run record-golden [-- --out <dir>]: records what the real CLIs print for each conversation of
 * scripts/golden/scenarios.ts (through the server, against the fake Messages API on loopback) as
 * normalised JSON lines, one file per conversation, plus manifest.json with the versions and argv.
 * By default the pinned CLIs into test/fixtures/golden; CLAUDE_BIN, ACPX_BIN and CLAUDE_ACP_BIN
 * name others (npm run compat records the newest releases this way).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordGolden, ROOT } from './golden/record';

async function main(): Promise<void> {
  const at = process.argv.indexOf('--out');
  const out = at > 0 ? path.resolve(process.argv[at + 1]) : path.join(ROOT, 'test', 'fixtures', 'golden');
  const recording = await recordGolden();
  fs.mkdirSync(out, { recursive: true });
  for (const file of fs.readdirSync(out).filter((name) => name.endsWith('.jsonl'))) fs.rmSync(path.join(out, file));
  const manifest: Record<string, unknown> = { versions: recording.versions, scenarios: {} };
  for (const [name, { cli, argv, lines }] of Object.entries(recording.scenarios)) {
    fs.writeFileSync(path.join(out, `${name}.jsonl`), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    (manifest.scenarios as Record<string, unknown>)[name] = { cli, argv, lines: lines.length };
  }
  if (Object.keys(recording.failures).length > 0) manifest.failures = recording.failures;
  fs.writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`recorded ${Object.keys(recording.scenarios).length} conversations (${JSON.stringify(recording.versions)}) in ${path.relative(process.cwd(), out) || '.'}`);
  for (const [name, why] of Object.entries(recording.failures)) console.error(`record-golden: ${name} failed: ${why}`);
  if (Object.keys(recording.failures).length > 0) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(`record-golden: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
