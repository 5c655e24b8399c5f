import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcessRunner } from './child-process-runner';
import { buildChildEnv } from './child-env';
import { ShuttingDownError } from './cli-errors';
import { CliNotFoundError } from './cli-not-found.error';

const node = process.execPath;

/** Alive and not a zombie: an orphan killed here may wait for a reaper outside our control. */
function isRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
const env = buildChildEnv(process.env);
const script = (source: string) => ['-e', source];

describe('ChildProcessRunner', () => {
  let runner: ChildProcessRunner;
  beforeEach(() => {
    runner = new ChildProcessRunner();
  });
  afterEach(async () => {
    await runner.shutdown(100);
  });

  it('passes argv literally, with no shell in between', async () => {
    const hostile = ['--dangerously-skip-permissions', '$(touch /tmp/cf-pwned)', '; ls /', '`id`', "a'b\"c", ''];
    const result = await runner.run(node, { args: [...script('process.stdout.write(JSON.stringify(process.argv.slice(1)))'), '--', ...hostile], env });
    expect(JSON.parse(result.stdout)).toEqual(hostile);
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0, signal: null });
  });

  it('delivers stdin and closes it, and closes it at once when there is none', async () => {
    const echo = script('let s="";process.stdin.on("data",c=>s+=c).on("end",()=>process.stdout.write(s.toUpperCase()))');
    expect((await runner.run(node, { args: echo, env, stdin: 'hello' })).stdout).toBe('HELLO');
    const started = performance.now();
    expect((await runner.run(node, { args: echo, env })).stdout).toBe('');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('survives a child that exits without reading a large stdin', async () => {
    const result = await runner.run(node, { args: script('process.exit(3)'), env, stdin: 'x'.repeat(8 * 1024 * 1024) });
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 3 });
  });

  it('gives the child exactly the environment it is handed', async () => {
    const result = await runner.run(node, { args: script('process.stdout.write(JSON.stringify(Object.keys(process.env).sort()))'), env: { PATH: process.env.PATH, ONLY_THIS: '1' } });
    expect(JSON.parse(result.stdout)).toEqual(['ONLY_THIS', 'PATH']);
  });

  it('splits stdout into lines as they arrive, keeping multi-byte characters whole', async () => {
    const lines: string[] = [];
    const source = 'const b=Buffer.from("héllo\\nwörld\\n€nd");process.stdout.write(b.subarray(0,2));setTimeout(()=>process.stdout.write(b.subarray(2)),50)';
    const result = await runner.run(node, { args: script(source), env, onStdoutLine: (line) => lines.push(line) });
    expect(lines).toEqual(['héllo', 'wörld', '€nd']);
    expect(result.stdout).toBe('héllo\nwörld\n€nd');
  });

  it('skips a line its handler throws on, and reads on', async () => {
    const lines: string[] = [];
    const onStdoutLine = (line: string) => {
      if (line === 'poison') throw new TypeError("Cannot read properties of null (reading 'code')");
      lines.push(line);
    };
    const result = await runner.run(node, { args: script('console.log("one\\npoison\\ntwo")'), env, onStdoutLine });
    expect(lines).toEqual(['one', 'two']);
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0 });
  });

  it('stops a child at its timeout, grandchildren included', async () => {
    // Long enough for node to start both processes on a busy machine.
    const source = 'const c=require("child_process").spawn(process.execPath,["-e","setInterval(()=>{},1000)"],{stdio:"ignore"});console.log(c.pid);setInterval(()=>{},1000)';
    const result = await runner.run(node, { args: script(source), env, timeoutMs: 3000 });
    expect(result.outcome).toBe('timeout');
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    // Stopped only once the child says its handler is in place, however slow the machine is.
    const stop = new AbortController();
    const result = await runner.run(node, {
      args: script('process.on("SIGTERM",()=>{});console.log("up");setInterval(()=>{},1000)'),
      env,
      killGraceMs: 300,
      signal: stop.signal,
      onStdoutLine: (line) => line === 'up' && stop.abort(),
    });
    expect(result).toMatchObject({ outcome: 'aborted', signal: 'SIGKILL' });
  });

  it('asked to, interrupts a fed child alone first, so it can end on its own terms', async () => {
    const stop = new AbortController();
    const result = await runner.run(node, {
      args: script('process.on("SIGINT",()=>process.stdout.write("spent 0.2\\n",()=>process.exit(0)));console.log("up");setInterval(()=>{},1000)'),
      env,
      interrupt: { signal: 'SIGINT', graceMs: 10_000 },
      signal: stop.signal,
      onStdoutLine: (line) => line === 'up' && stop.abort(),
    });
    expect(result).toMatchObject({ outcome: 'aborted', exitCode: 0, signal: null });
    expect(result.stdout).toBe('up\nspent 0.2\n');
  });

  it('terminates a child that ignores the interrupt once its grace is over, and one never fed at once', async () => {
    const stop = new AbortController();
    const stubborn = await runner.run(node, {
      args: script('process.on("SIGINT",()=>{});console.log("up");setInterval(()=>{},1000)'),
      env,
      interrupt: { signal: 'SIGINT', graceMs: 200 },
      signal: stop.signal,
      onStdoutLine: (line) => line === 'up' && stop.abort(),
    });
    expect(stubborn).toMatchObject({ outcome: 'aborted', signal: 'SIGTERM' });
    // Never fed: nothing to account for, so no interrupt (it would print; SIGTERM ends it silently).
    const spare = runner.start(node, { args: script('process.on("SIGINT",()=>console.log("interrupted"));setInterval(()=>{},1000)'), env, interrupt: { signal: 'SIGINT', graceMs: 10_000 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await spare.retire();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops a child when its signal aborts', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const result = await runner.run(node, { args: script('setInterval(()=>{},1000)'), env, signal: abort.signal });
    expect(result.outcome).toBe('aborted');
  });

  it('caps output, keeping memory bounded', async () => {
    // The writer honours backpressure: a loop that never yields would only ever fill the pipe once
    // and grow its own heap, never reaching the cap.
    const flood = 'const l="y".repeat(65536)+"\\n";(function w(){while(process.stdout.write(l));process.stdout.once("drain",w)})()';
    const result = await runner.run(node, { args: script(flood), env, maxOutputBytes: 256 * 1024 });
    expect(result.outcome).toBe('output_too_large');
    expect(result.stdout.length).toBeLessThanOrEqual(256 * 1024);
  });

  it('reports a missing or non-executable CLI as CliNotFoundError, naming only its basename', async () => {
    const missing = runner.run('/nonexistent/dir/claude', { args: [], env });
    await expect(missing).rejects.toBeInstanceOf(CliNotFoundError);
    await expect(missing).rejects.toThrow('claude CLI is not installed or not executable');
    await expect(runner.run(path.join(__dirname, 'index.ts'), { args: [], env })).rejects.toBeInstanceOf(CliNotFoundError);
  });

  it('counts running children and, at shutdown, stops them and refuses new ones', async () => {
    const hang = runner.run(node, { args: script('setInterval(()=>{},1000)'), env });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runner.running).toBe(1);
    await runner.shutdown(200);
    expect((await hang).outcome).toBe('shutdown');
    expect(runner.running).toBe(0);
    await expect(runner.run(node, { args: script(''), env })).rejects.toBeInstanceOf(ShuttingDownError);
  });

  describe('started ahead of its input', () => {
    it('waits for its stdin, then runs with limits and time counted from the feed', async () => {
      const echo = script('let s="";process.stdin.on("data",c=>s+=c).on("end",()=>process.stdout.write("line1\\n"+s.toUpperCase()+"\\n"))');
      const started = runner.start(node, { args: echo, env });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(started.waiting).toBe(true);
      expect(runner.running).toBe(1);
      const lines: string[] = [];
      const result = await started.feed({ stdin: 'warm', onStdoutLine: (line) => lines.push(line) });
      expect(result).toMatchObject({ outcome: 'exited', exitCode: 0, stdout: 'line1\nWARM\n' });
      expect(lines).toEqual(['line1', 'WARM']);
      expect(result.durationMs).toBeLessThan(400);
      expect(started.waiting).toBe(false);
      await expect(started.feed({ stdin: 'again' })).rejects.toThrow('fed once');
    });

    it('hands its line handler what was printed before the feed, then the rest', async () => {
      const early = script('process.stdout.write("ready\\n");process.stdin.on("data",()=>{}).on("end",()=>process.stdout.write("done\\n"))');
      const started = runner.start(node, { args: early, env });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const lines: string[] = [];
      await started.feed({ stdin: '', onStdoutLine: (line) => lines.push(line) });
      expect(lines).toEqual(['ready', 'done']);
    });

    it('is no longer waiting once it died, and feeding it gives how it ended', async () => {
      const started = runner.start(node, { args: script('process.exit(3)'), env });
      await started.ended;
      expect(started.waiting).toBe(false);
      expect(runner.running).toBe(0);
      await expect(started.feed({ stdin: 'late' })).resolves.toMatchObject({ outcome: 'exited', exitCode: 3 });
    });

    it('retires a process never fed, its whole group with it', async () => {
      const started = runner.start(node, { args: script('process.stdin.resume()'), env });
      expect(started.waiting).toBe(true);
      await started.retire();
      expect(started.waiting).toBe(false);
      expect(runner.running).toBe(0);
    });

    it('arms the timeout at the feed, not at the start', async () => {
      const slow = script('process.stdin.on("data",()=>{}).on("end",()=>setTimeout(()=>process.stdout.write("ok"),300))');
      const started = runner.start(node, { args: slow, env });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await expect(started.feed({ stdin: '', timeoutMs: 5000 })).resolves.toMatchObject({ outcome: 'exited', stdout: 'ok' });
      const late = runner.start(node, { args: script('process.stdin.on("data",()=>{}).on("end",()=>setTimeout(()=>{},10000))'), env });
      await expect(late.feed({ stdin: '', timeoutMs: 200 })).resolves.toMatchObject({ outcome: 'timeout' });
    });

    it('reports a missing executable when fed, and refuses to start once shut down', async () => {
      const missing = runner.start('/nonexistent/claude', { args: [], env });
      await expect(missing.feed({ stdin: 'x' })).rejects.toBeInstanceOf(CliNotFoundError);
      await missing.ended;
      await runner.shutdown(100);
      expect(() => runner.start(node, { args: [], env })).toThrow(ShuttingDownError);
    });
  });
});
