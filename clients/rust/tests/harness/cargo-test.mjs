#!/usr/bin/env node
// `cargo test` for clients/rust, offline, as npm test's `rust` pass runs it (then `cargo fmt --check`
// and `cargo clippy -D warnings` where the toolchain has them). The tests run against the built
// server, so `npm run build` comes first: this script starts it once (tests/harness/server.ts) and
// names it to every test binary in CLAWDFORGE_TEST_SERVER, so the binaries share one server rather
// than start one each (a plain `cargo test` starts one per binary).
//
// The crate's dependencies come from Debian's packaged crates (librust-*-dev, in
// /usr/share/cargo/registry), installed with apt-get when Cargo.lock names one that is missing.
// Cargo reads them through a source replacement given on its command line, so Cargo.toml stays an
// ordinary manifest that builds from crates.io anywhere else. Debian's crates carry the checksum
// "Could not get crate checksum", which cargo would write into Cargo.lock; so cargo reads them
// through a directory of links beside the build (node_modules/.cache/clawdforge-rust/crates) whose
// checksum files name none, and Cargo.lock carries no checksums: cargo fills them in from crates.io
// where it builds from there. The target directory is kept there too, so a second run is quick; the
// build here carries no debug information (CARGO_PROFILE_*_DEBUG=0), which halves the time spent
// linking a test binary and each doc-test, and the panics of failing tests name their line anyway.
//
//   node clients/rust/tests/harness/cargo-test.mjs [cargo test arguments]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bring, onPath } from '../../../../scripts/test/system-packages.mjs';

const crateDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const root = path.resolve(crateDir, '..', '..');
const cache = path.join(root, 'node_modules', '.cache', 'clawdforge-rust');
const DEBIAN_REGISTRY = '/usr/share/cargo/registry';
const say = (line) => process.stdout.write(`npm test: ${line}\n`);

/** Debian's packages of the crates Cargo.toml names (their own dependencies come with them). */
const CRATE_PACKAGES = [
  'librust-reqwest-dev',
  'librust-tokio-dev',
  'librust-serde-dev',
  'librust-serde-derive-dev',
  'librust-serde-json-dev',
  'librust-thiserror-dev',
  'librust-futures-util-dev',
  'librust-log-dev',
];

function findCargo() {
  if (onPath('cargo')) return 'cargo';
  const home = process.env.CARGO_HOME ?? path.join(os.homedir(), '.cargo');
  const installed = path.join(home, 'bin', 'cargo');
  return fs.existsSync(installed) ? installed : null;
}

/** `name-version` of every crate Cargo.lock takes from the registry. */
function lockedCrates() {
  const lock = fs.readFileSync(path.join(crateDir, 'Cargo.lock'), 'utf8');
  return lock
    .split('[[package]]')
    .slice(1)
    .filter((entry) => /^source = "registry\+/m.test(entry))
    .map((entry) => `${/^name = "(.+)"$/m.exec(entry)[1]}-${/^version = "(.+)"$/m.exec(entry)[1]}`);
}

const missingCrates = (crates) => crates.filter((crate) => !fs.existsSync(path.join(DEBIAN_REGISTRY, crate, 'Cargo.toml')));

/** A directory source of links to Debian's crates, each with a checksum file that names no package checksum. */
function linkCrates() {
  const dir = path.join(cache, 'crates');
  fs.rmSync(dir, { recursive: true, force: true });
  for (const crate of fs.readdirSync(DEBIAN_REGISTRY)) {
    const from = path.join(DEBIAN_REGISTRY, crate);
    const to = path.join(dir, crate);
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from)) {
      if (entry !== '.cargo-checksum.json') fs.symlinkSync(path.join(from, entry), path.join(to, entry));
    }
    fs.writeFileSync(path.join(to, '.cargo-checksum.json'), '{"files":{}}\n');
  }
  return dir;
}

/** Runs cargo with the offline source (and `env`); its stdout passes through and is kept. */
function cargo(cargoBin, args, crates, env = {}) {
  const offline = ['--offline', '--config', 'source.crates-io.replace-with="debian-packages"', '--config', `source.debian-packages.directory=${JSON.stringify(crates)}`];
  const [command, ...rest] = args;
  say(`$ cargo ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(cargoBin, [command, ...offline, ...rest], {
      cwd: crateDir,
      stdio: ['inherit', 'pipe', 'inherit'],
      env: {
        ...process.env,
        CARGO_TARGET_DIR: path.join(cache, 'target'),
        CARGO_PROFILE_DEV_DEBUG: '0',
        CARGO_PROFILE_TEST_DEBUG: '0',
        CARGO_TERM_COLOR: process.env.FORCE_COLOR ? 'always' : 'auto',
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.on('error', (error) => resolve({ code: null, output: error.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The server of the whole run: tests/harness/server.ts, which announces it in one JSON line and stops
 * it when its stdin closes. Resolves to { line, stop } or { problem }.
 */
function startServer() {
  const tsNode = path.join(root, 'node_modules', '.bin', 'ts-node');
  if (!fs.existsSync(tsNode)) return Promise.resolve({ problem: `${tsNode} is missing: run "npm ci" in ${root}` });
  const child = spawn(tsNode, ['--transpile-only', 'clients/rust/tests/harness/server.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const stop = async () => {
    child.stdin.end();
    await exited;
  };
  return new Promise((resolve) => {
    let output = '';
    const read = (chunk) => {
      output += chunk;
      const end = output.indexOf('\n');
      if (end < 0) return;
      child.stdout.off('data', read);
      child.stdout.resume();
      resolve({ line: output.slice(0, end), stop });
    };
    child.stdout.on('data', read);
    child.on('error', (error) => resolve({ problem: `could not start ${tsNode}: ${error.message}` }));
    void exited.then((code) => resolve({ problem: `the server did not start (harness exit ${code}); what it said is above` }));
  });
}

/** The sum of cargo test's "test result: ok. 12 passed; 0 failed; 1 ignored; …" lines, one per test binary and the doc-tests. */
function testCounts(output) {
  // eslint-disable-next-line no-control-regex
  const results = [...output.replace(/\x1b\[[0-9;]*m/g, '').matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)];
  const sum = (index) => results.reduce((total, match) => total + Number(match[index]), 0);
  return { binaries: results.length, passed: sum(1), failed: sum(2), ignored: sum(3) };
}

const cargoBin = findCargo();
if (!cargoBin) {
  say('FAIL cargo is missing: install Rust 1.63 or newer (Debian: apt-get install cargo; or rustup) to build and test clients/rust');
  process.exit(1);
}

const crates = lockedCrates();
const problem = bring(
  {
    label: "Debian's packaged Rust crates",
    why: 'clients/rust builds offline from /usr/share/cargo/registry',
    packages: CRATE_PACKAGES,
    present: () => missingCrates(crates).length === 0,
  },
  say,
);
if (problem) {
  const missing = missingCrates(crates);
  say(`FAIL ${problem}${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}`);
  process.exit(1);
}
const linked = linkCrates();

// The build first, so that its errors show alone; the server starts meanwhile.
const started = Date.now();
const starting = startServer();
const built = await cargo(cargoBin, ['test', '--locked', '--no-run', ...process.argv.slice(2)], linked);
const builtIn = Date.now() - started;
const server = await starting;
if (built.code !== 0 || server.problem) {
  await server.stop?.();
  say(`FAIL ${built.code !== 0 ? 'cargo test: the crate or its tests do not build' : server.problem}`);
  process.exit(1);
}
let tested;
try {
  tested = await cargo(cargoBin, ['test', '--locked', '--no-fail-fast', ...process.argv.slice(2)], linked, { CLAWDFORGE_TEST_SERVER: server.line });
} finally {
  await server.stop();
}
const testedIn = Date.now() - started - builtIn;
const counts = testCounts(tested.output);
let failed = tested.code !== 0;
if (spawnSync(cargoBin, ['fmt', '--version'], { stdio: 'ignore' }).status === 0) {
  say('$ cargo fmt --check');
  failed = spawnSync(cargoBin, ['fmt', '--check'], { cwd: crateDir, stdio: 'inherit' }).status !== 0 || failed;
} else {
  say('cargo fmt is not installed here: formatting not checked');
}
if (spawnSync(cargoBin, ['clippy', '--version'], { stdio: 'ignore' }).status === 0) {
  failed = (await cargo(cargoBin, ['clippy', '--locked', '--all-targets', '--', '-D', 'warnings'], linked)).code !== 0 || failed;
} else {
  say('cargo clippy is not installed here: lints not checked');
}
// One line for npm test's summary, whose view of the output is its end.
const seconds = (ms) => `${Math.round(ms / 1000)} s`;
say(
  `cargo test: ${counts.passed} passed, ${counts.failed} failed, ${counts.ignored} ignored, in ${counts.binaries} test runs (the unit tests, each tests/*.rs, the doc-tests); built in ${seconds(builtIn)}, tested in ${seconds(testedIn)}`,
);
process.exit(failed ? 1 : 0);
