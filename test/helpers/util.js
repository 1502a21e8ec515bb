// Shared test helpers: unique names, temporary directories, the CLI, probes for skips, and
// checks that nothing was left behind (processes, mounts).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const brigBin = path.join(root, 'bin', 'brig.cjs');
export const isRoot = process.geteuid() === 0;

/** A prefix unique to one test file and process, for everything a test creates. */
export function prefix(file) {
  return `brig-test-${path.basename(file).replace(/\.test\.js$/, '')}-${process.pid}`;
}

/** A temporary directory (removed by the returned cleanup), readable by everyone. */
export function tempDir(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  fs.chmodSync(dir, 0o755);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Run the brig CLI synchronously. */
export function brig(args, opts = {}) {
  const r = spawnSync(process.execPath, [brigBin, ...args], { encoding: 'utf8', timeout: 30000, ...opts });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Start the brig CLI asynchronously. */
export function brigAsync(args, opts = {}) {
  return spawn(process.execPath, [brigBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** The host's mount table, to compare before and after a test. */
export function mountTable() {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ').slice(4, 5)[0]).filter(Boolean).sort().join('\n');
}

/** Pids whose command line contains `marker` (other than ours). */
export function processesWith(marker) {
  const out = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(marker)) out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

/** Wait until fn() is truthy or the time runs out; returns the last value. */
export async function waitFor(fn, ms = 5000, step = 20) {
  const end = Date.now() + ms;
  let v = fn();
  while (!v && Date.now() < end) {
    await new Promise((r) => setTimeout(r, step));
    v = fn();
  }
  return v;
}

let staticProbe;
/** A static test program (test/helpers/probe.c) for roots built from nothing. */
export function staticProbeBinary() {
  if (staticProbe) return staticProbe;
  const out = path.join(os.tmpdir(), `brig-test-probe-${process.pid}`);
  execFileSync('gcc', ['-static', '-O1', '-o', out, path.join(root, 'test', 'helpers', 'probe.c')]);
  process.on('exit', () => fs.rmSync(out, { force: true }));
  staticProbe = out;
  return out;
}

/** Skip reason from a failed probe, or undefined when the feature works. */
export async function skipUnlessSandbox() {
  const { probeSandbox } = await import('../../dist/probe/features.js');
  const p = await probeSandbox();
  return p.ok ? undefined : `sandboxes do not work here: ${p.detail}`;
}
