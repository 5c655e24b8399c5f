#!/usr/bin/env node
// `npm test`: every pass of the test suite, one after another. Each pass first gets the system tools
// it needs (scripts/test/system-packages.mjs installs what is missing), runs, and is reported; a
// failed pass does not stop the ones after it. At the end one line per pass (its outcome, its tests,
// its time) and the totals; the exit code is 1 if any pass failed or any tool could not be brought.
//
//   node scripts/test/run-all.mjs              every pass
//   node scripts/test/run-all.mjs unit medium   only the passes named (and the build, before e2e passes)
//   node scripts/test/run-all.mjs --list       the passes
//
// A pass is one entry of PASSES: a name, what it is, the tools it needs and the command it runs, with
// a parser for its runner's closing counts. Another tier (say a crate's `cargo test`) is one more entry.
// Plain Node, no dependencies.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { bring, SYSTEM_TOOLS } from './system-packages.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Jest's closing "Tests: 2 failed, 1 skipped, 806 passed, 809 total". */
function jestCounts(output) {
  const line = [...output.matchAll(/^Tests:\s+(.+)$/gm)].at(-1)?.[1];
  if (!line) return null;
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') + count('todo') };
}

const jest = (...args) => [bin('jest'), ...args];

/** The closing line of clients/rust/tests/harness/cargo-test.mjs: "cargo test: 75 passed, 0 failed, 0 ignored, …". */
function cargoCounts(output) {
  const match = [...output.matchAll(/^npm test: cargo test: (\d+) passed, (\d+) failed, (\d+) ignored/gm)].at(-1);
  return match ? { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3]) } : null;
}

// The tiers run fastest first, so a broken rule shows in seconds: unit and medium need no build;
// the build comes before the passes that start what it built.
const PASSES = [
  {
    name: 'unit',
    what: 'unit tier: *.spec.ts beside the code, rules with fakes, no process, database or network (jest.unit.config.ts)',
    needs: [],
    command: jest('-c', 'jest.unit.config.ts'),
    counts: jestCounts,
  },
  {
    name: 'medium',
    what: 'medium tier: *.medium-spec.ts beside the code, real repositories on SQLite, real files and child processes (jest.medium.config.ts)',
    needs: [],
    command: jest('-c', 'jest.medium.config.ts'),
    counts: jestCounts,
  },
  {
    name: 'build',
    what: 'nest build: dist/, which the end-to-end specs start as npm start does',
    needs: [],
    command: ['npm', 'run', 'build'],
    before: ['e2e', 'e2e-postgres', 'rust'],
  },
  {
    name: 'e2e',
    what: 'test/: the real app over HTTP, the built server and the real pinned CLIs, state in SQLite (jest.e2e.config.ts)',
    needs: ['sandbox', 'postgres'],
    command: jest('-c', 'jest.e2e.config.ts'),
    counts: jestCounts,
  },
  {
    name: 'e2e-postgres',
    what: 'the end-to-end specs again with the state in PostgreSQL (jest.postgres.config.ts)',
    needs: ['postgres'],
    command: jest('-c', 'jest.postgres.config.ts'),
    counts: jestCounts,
  },
  {
    name: 'rust',
    what: 'clients/rust: cargo test of the Rust client against the built server and the real pinned CLIs, offline from Debian-packaged crates (then cargo fmt and clippy)',
    needs: [],
    command: ['node', 'clients/rust/tests/harness/cargo-test.mjs'],
    counts: cargoCounts,
  },
];

const say = (line) => process.stdout.write(`npm test: ${line}\n`);

function duration(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Runs `command`, its output passed through as it comes and kept for the counts. */
function run(command, env) {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: root, env, stdio: ['inherit', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk, to) => {
      to.write(chunk);
      tail = (tail + chunk).slice(-20_000);
    };
    child.stdout.on('data', (chunk) => keep(chunk, process.stdout));
    child.stderr.on('data', (chunk) => keep(chunk, process.stderr));
    child.on('error', (error) => resolve({ code: null, output: `${tail}\n${error.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? signal, output: tail }));
  });
}

const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const pass of PASSES) process.stdout.write(`${pass.name.padEnd(14)} ${pass.what}\n`);
  process.exit(0);
}
const unknown = args.filter((name) => !PASSES.some((pass) => pass.name === name));
if (unknown.length > 0) {
  process.stderr.write(`npm test: no pass named ${unknown.join(', ')}; the passes: ${PASSES.map((pass) => pass.name).join(', ')}\n`);
  process.exit(2);
}
// A pass named runs with what it needs first: the build before the passes that start what it built.
const chosen = PASSES.filter((pass) => args.length === 0 || args.includes(pass.name) || pass.before?.some((name) => args.includes(name)));

// Colours as on a terminal when this runs on one, though the runners' output goes through a pipe here.
const env = { ...process.env, ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}) };
const started = Date.now();
const report = [];
const toolProblems = new Map();

for (const pass of chosen) {
  for (const name of pass.needs) {
    if (toolProblems.has(name)) continue;
    const problem = bring(SYSTEM_TOOLS[name], say);
    toolProblems.set(name, problem);
    if (problem) {
      say(`FAIL ${problem}`);
      report.push({ name: `(${SYSTEM_TOOLS[name].label})`, ok: false, detail: 'could not be brought', ms: 0 });
    }
  }
  say(`pass ${pass.name}: ${pass.what}`);
  say(`$ ${pass.command.map((part) => (part.startsWith(bin('')) ? path.basename(part) : part)).join(' ')}`);
  const at = Date.now();
  const { code, output } = await run(pass.command, env);
  const counts = pass.counts?.(output) ?? null;
  const ok = code === 0 && (!pass.counts || (counts !== null && counts.failed === 0));
  report.push({ name: pass.name, ok, counts, code, ms: Date.now() - at });
  say(`pass ${pass.name}: ${ok ? 'ok' : `FAILED (exit ${code})`} in ${duration(Date.now() - at)}`);
}

const width = Math.max(...report.map((row) => row.name.length));
const timeWidth = Math.max(...report.map((row) => duration(row.ms).length));
say(`summary after ${duration(Date.now() - started)}:`);
for (const row of report) {
  const counts = row.counts ? `${row.counts.passed} passed, ${row.counts.failed} failed${row.counts.skipped ? `, ${row.counts.skipped} skipped` : ''}` : (row.detail ?? '');
  process.stdout.write(`  ${row.ok ? 'ok  ' : 'FAIL'}  ${row.name.padEnd(width)}  ${duration(row.ms).padStart(timeWidth)}  ${counts}\n`.trimEnd() + '\n');
}
const failedRows = report.filter((row) => !row.ok);
const passed = report.reduce((sum, row) => sum + (row.counts?.passed ?? 0), 0);
// A pass or tool that failed without a count of failed tests (a crash, a build error) counts as one.
const failed = report.reduce((sum, row) => sum + (row.counts?.failed || (row.ok ? 0 : 1)), 0);
process.stdout.write(`${failedRows.length === 0 ? 'every pass passed' : `${failedRows.length} of ${report.length} failed: ${failedRows.map((row) => row.name).join(', ')}`}\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
process.exit(failedRows.length === 0 ? 0 : 1);
