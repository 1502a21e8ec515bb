#!/usr/bin/env node
// The launch benchmark: how fast brig starts /bin/true in a sandbox, next to a C floor and
// peer tools measured in the same run. Not a test: it prints tables (ratios against the
// peers, with the issue's targets beside them as information) and never fails on a number.
//
//   npm run bench                                  # tsc, then node bench/launch.js
//   node bench/launch.js [--quick] [--markdown FILE]
//   node bench/launch.js --markdown docs/performance.md   # refresh the documented results
//
// Needs root (it installs bubblewrap with apt-get when missing), gcc, and a built dist/.
// Iteration counts: BENCH_N (in-process launches, 300), BENCH_N_SPAWN (process-spawning
// peers, 100), BENCH_N_CLI (CLI and node -e 0, 20), BENCH_N_POOL (launches per in-flight
// level, 200), BENCH_N_HEAP (launches per heap size, 100), BENCH_WARMUP (20), BENCH_ROUNDS
// (sequential latencies are taken in this many interleaved rounds, 5), BENCH_HEAP_MIB (heap
// sizes in MiB, "50,1024"). --quick shrinks all of them for a smoke run.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdown, renderText, writeMarkdownSection } from './report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);

if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`usage: node bench/launch.js [--quick] [--markdown FILE]

  --quick          small iteration counts: a smoke run of every measurement
  --markdown FILE  also write the tables as Markdown to FILE; if FILE has the lines
                   <!-- bench:begin --> and <!-- bench:end --> (docs/performance.md does),
                   only the text between them is replaced

environment: BENCH_N, BENCH_N_SPAWN, BENCH_N_CLI, BENCH_N_POOL, BENCH_N_HEAP, BENCH_WARMUP, BENCH_ROUNDS,
             BENCH_HEAP_MIB (comma-separated MiB, default 50,1024)
`);
  process.exit(0);
}
const quick = argv.includes('--quick');
const mdIndex = argv.indexOf('--markdown');
const markdownFile = mdIndex >= 0 ? argv[mdIndex + 1] : undefined;
if (mdIndex >= 0 && !markdownFile) die('--markdown needs a file name');
for (const a of argv) {
  if (a.startsWith('-') && !['--quick', '--markdown'].includes(a)) die(`unknown option ${a}`);
}

function count(name, full, small) {
  const v = process.env[name];
  if (v === undefined || v === '') return quick ? small : full;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) die(`${name} must be a positive integer, got '${v}'`);
  return n;
}
const N = {
  inproc: count('BENCH_N', 300, 30),
  spawned: count('BENCH_N_SPAWN', 100, 15),
  cli: count('BENCH_N_CLI', 20, 4),
  pool: count('BENCH_N_POOL', 200, 40),
  heap: count('BENCH_N_HEAP', 100, 20),
  warmup: count('BENCH_WARMUP', 20, 3),
  rounds: count('BENCH_ROUNDS', 5, 2),
};
const heapSizes = (process.env.BENCH_HEAP_MIB || '50,1024').split(',').map(Number);
if (heapSizes.some((m) => !(m > 0))) die('BENCH_HEAP_MIB must be comma-separated sizes in MiB');
const INFLIGHT = [1, 2, 4, 8];

function die(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(1);
}
function log(msg) {
  process.stderr.write(`# ${msg}\n`);
}

if (process.geteuid?.() !== 0) die('run the launch benchmark as root (the peers need it, and it installs bubblewrap)');

let brig;
try {
  brig = await import(new URL('../dist/index.js', import.meta.url).href);
} catch (e) {
  die(`cannot load dist/index.js (${e.message}); build first: npx tsc -p tsconfig.json, or use npm run bench`);
}

// ---------------------------------------------------------------- statistics and timing

const now = () => performance.now();
function sorted(a) {
  return [...a].sort((x, y) => x - y);
}
function pct(a, p) {
  const s = sorted(a);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
const median = (a) => {
  const s = sorted(a);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
function stats(samples) {
  return { n: samples.length, median: median(samples), p99: pct(samples, 0.99), min: Math.min(...samples) };
}

async function series(n, fn, warmup = N.warmup) {
  for (let i = 0; i < warmup; i++) await fn();
  const out = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

async function timeBrig(options) {
  const t = now();
  const r = await brig.run(options);
  const dt = now() - t;
  if (r.exitCode !== 0) throw new Error(`brig run() of /bin/true did not exit 0: ${JSON.stringify(r)}`);
  return dt;
}

/** Spawn a command from Node and resolve with the milliseconds until it has exited. Its
 *  stderr goes to a file (not a pipe, so no extra event-loop work) to explain a failure. */
let stderrLog;
function timeSpawn(cmd, args) {
  stderrLog ??= fs.openSync(path.join(work, 'stderr.log'), 'a+');
  return new Promise((resolve, reject) => {
    const t = now();
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', stderrLog] });
    c.on('error', reject);
    c.on('exit', (code, sig) => {
      const dt = now() - t;
      if (code === 0) return resolve(dt);
      const err = fs.readFileSync(path.join(work, 'stderr.log'), 'utf8').trim().split('\n').slice(-5).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? sig}; stderr:\n${err}`));
    });
  });
}

/** Keep `k` launches in flight until `n` have finished; returns launches per second. */
async function pool(k, n, fn) {
  let started = 0;
  const t = now();
  const worker = async () => {
    while (started < n) {
      started++;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: k }, worker));
  return n / ((now() - t) / 1000);
}

// ---------------------------------------------------------------- tools: floor, exec loop, peers

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'brig-bench-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

// A C loop that starts any command (posix_spawn: glibc uses CLONE_VM|CLONE_VFORK) and waits,
// so peer tools can be timed without Node's spawn machinery in the way.
const EXECLOOP_C = String.raw`
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}
static pid_t launch(char **cmd) {
  pid_t pid;
  int e = posix_spawn(&pid, cmd[0], NULL, NULL, cmd, environ);
  if (e) { fprintf(stderr, "posix_spawn %s: error %d\n", cmd[0], e); exit(1); }
  return pid;
}
static void check(int st) {
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "command failed: status %d\n", st); exit(1); }
}
int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: execloop N COMMAND...\n"); return 2; }
  int n = atoi(argv[1]);
  char **cmd = argv + 2;
  const char *inflight = getenv("EXEC_INFLIGHT");
  if (inflight) {
    int k = atoi(inflight), running = 0, started = 0, st;
    double t0 = now_us();
    while (started < n || running > 0) {
      while (running < k && started < n) launch(cmd), running++, started++;
      if (wait(&st) > 0) { check(st); running--; }
    }
    printf("%f\n", (now_us() - t0) / 1e6);
    return 0;
  }
  for (int i = 0; i < n; i++) {
    double t = now_us();
    int st;
    waitpid(launch(cmd), &st, 0);
    check(st);
    printf("%.1f\n", now_us() - t);
  }
  return 0;
}
`;

function gcc(src, out) {
  const r = spawnSync('gcc', ['-O2', '-o', out, src], { encoding: 'utf8' });
  if (r.error) die(`gcc is needed to build ${path.basename(src)}: ${r.error.message}`);
  if (r.status !== 0) die(`gcc failed on ${src}:\n${r.stderr}`);
  return out;
}

log(`building the C floor and the exec loop in ${work}`);
const floorBin = gcc(path.join(root, 'bench', 'floor.c'), path.join(work, 'floor'));
fs.writeFileSync(path.join(work, 'execloop.c'), EXECLOOP_C);
const execloopBin = gcc(path.join(work, 'execloop.c'), path.join(work, 'execloop'));

function runC(bin, args, env = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${r.stderr || r.error?.message || r.status}`);
  return r.stdout.trim().split('\n').map(Number);
}
/** Per-launch latencies in ms from a C loop (floor or execloop). */
function cLatencies(bin, n, args, warmup = N.warmup) {
  if (warmup > 0) runC(bin, [String(warmup), ...args]);
  return runC(bin, [String(n), ...args]).map((us) => us / 1000);
}
/** Launches per second with k in flight, from a C loop. */
function cRate(bin, k, n, args, envName) {
  const secs = runC(bin, [String(n), ...args], { [envName]: String(k) })[0];
  return n / secs;
}

function which(cmd) {
  for (const dir of (process.env.PATH || '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}
function version(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').trim().split('\n')[0];
}
function works(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10000 });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
}

const unavailable = []; // [peer, reason]
let bwrap = which('bwrap');
if (!bwrap) {
  log('bwrap is missing: apt-get update && apt-get install -y bubblewrap');
  const up = spawnSync('apt-get', ['update'], { encoding: 'utf8' });
  const inst = up.status === 0 ? spawnSync('apt-get', ['install', '-y', 'bubblewrap'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) : up;
  bwrap = which('bwrap');
  if (!bwrap) {
    const why = (inst.stderr || inst.error?.message || `exit ${inst.status}`).trim().split('\n').pop();
    log(`cannot install bubblewrap: ${why}; continuing without it`);
    unavailable.push(['bwrap', `cannot be installed: ${why}`]);
  }
}
const BWRAP_ARGS = ['--unshare-all', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
  '--tmpfs', '/home', '--tmpfs', '/root', '--tmpfs', '/run', '--hostname', 'brig', '--die-with-parent', '--new-session'];
const bwrapFull = [...BWRAP_ARGS, '/bin/true'];
const bwrapNoNet = [...BWRAP_ARGS, '--share-net', '/bin/true'];
if (bwrap) {
  const err = works(bwrap, bwrapFull);
  if (err) {
    log(`bwrap does not work here (${err}); continuing without it`);
    unavailable.push(['bwrap', `does not run: ${err}`]);
    bwrap = undefined;
  }
}
let unshare = which('unshare');
const UNSHARE_BASE = ['--user', '--map-root-user', '--pid', '--fork', '--mount', '--net', '--uts', '--ipc', '--cgroup', '--time'];
let unshareArgs = [...UNSHARE_BASE, '--mount-proc', '/bin/true'];
if (unshare) {
  if (works(unshare, unshareArgs)) unshareArgs = [...UNSHARE_BASE, '/bin/true'];
  const err = works(unshare, unshareArgs);
  if (err) {
    log(`unshare does not work here (${err}); continuing without it`);
    unavailable.push(['unshare', `does not run: ${err}`]);
    unshare = undefined;
  }
} else {
  unavailable.push(['unshare', 'not installed (util-linux)']);
}

// ---------------------------------------------------------------- measurements

const startedAt = new Date();
const loadBefore = os.loadavg()[0];
const t0 = now();
const lat = {}; // key -> samples in ms
const fullOpts = { command: ['/bin/true'] };
const ignoreOpts = { command: ['/bin/true'], stdout: 'ignore', stderr: 'ignore' };
const noNetOpts = { command: ['/bin/true'], namespaces: { net: false } };
const brigBin = path.join(root, 'bin', 'brig.cjs');

const failed = []; // [what, error] — a failing measurement is reported and skipped
async function measure(what, fn) {
  try {
    return await fn();
  } catch (e) {
    const msg = String(e?.message ?? e).split('\n').slice(0, 6).join(' | ');
    log(`FAILED: ${what}: ${msg}`);
    failed.push([what, msg]);
    return undefined;
  }
}

// Sequential latency, in rounds: every row gets a share of its launches in each round, so a
// burst of other work on the machine lands on all rows alike instead of on one of them.
const cliWarm = Math.min(3, N.warmup);
const latencyJobs = [
  ['floor', 'floor', N.inproc, N.warmup, (n, w) => cLatencies(floorBin, n, [], w)],
  ['floorNoNet', 'floor nonet', N.inproc, N.warmup, (n, w) => cLatencies(floorBin, n, ['nonet'], w)],
  ['brig', 'brig run() defaults', N.inproc, N.warmup, (n, w) => series(n, () => timeBrig(fullOpts), w)],
  ['brigIgnore', "brig run() stdio 'ignore'", N.inproc, N.warmup, (n, w) => series(n, () => timeBrig(ignoreOpts), w)],
  ['brigNoNet', 'brig run() net: false', N.inproc, N.warmup, (n, w) => series(n, () => timeBrig(noNetOpts), w)],
  ['spawnTrue', "spawn('/bin/true')", N.spawned, N.warmup, (n, w) => series(n, () => timeSpawn('/bin/true', []), w)],
  ['execloopTrue', 'C loop /bin/true', N.spawned, N.warmup, (n, w) => cLatencies(execloopBin, n, ['/bin/true'], w)],
  ...(bwrap ? [
    ['bwrapNode', 'bwrap from Node', N.spawned, N.warmup, (n, w) => series(n, () => timeSpawn(bwrap, bwrapFull), w)],
    ['bwrapNoNetNode', 'bwrap --share-net from Node', N.spawned, N.warmup, (n, w) => series(n, () => timeSpawn(bwrap, bwrapNoNet), w)],
    ['bwrapC', 'bwrap C loop', N.spawned, N.warmup, (n, w) => cLatencies(execloopBin, n, [bwrap, ...bwrapFull], w)],
    ['bwrapNoNetC', 'bwrap --share-net C loop', N.spawned, N.warmup, (n, w) => cLatencies(execloopBin, n, [bwrap, ...bwrapNoNet], w)],
  ] : []),
  ...(unshare ? [
    ['unshareNode', 'unshare from Node', N.spawned, N.warmup, (n, w) => series(n, () => timeSpawn(unshare, unshareArgs), w)],
    ['unshareC', 'unshare C loop', N.spawned, N.warmup, (n, w) => cLatencies(execloopBin, n, [unshare, ...unshareArgs], w)],
  ] : []),
  ['nodeE0', 'node -e 0', N.cli, cliWarm, (n, w) => series(n, () => timeSpawn(process.execPath, ['-e', '0']), w)],
  ['cli', 'brig CLI', N.cli, cliWarm, (n, w) => series(n, () => timeSpawn(process.execPath, [brigBin, 'run', '--', '/bin/true']), w)],
];
const share = (n, r) => Math.floor((n * (r + 1)) / N.rounds) - Math.floor((n * r) / N.rounds);
const broken = new Set();
for (let r = 0; r < N.rounds; r++) {
  log(`sequential latency, round ${r + 1}/${N.rounds}: ${latencyJobs.length} rows`);
  for (const [key, what, n, warm, fn] of latencyJobs) {
    const count = share(n, r);
    if (broken.has(key) || count === 0) continue;
    const v = await measure(what, () => fn(count, r === 0 ? warm : 0));
    if (v) (lat[key] ??= []).push(...v);
    else {
      broken.add(key);
      delete lat[key];
    }
  }
}

// Where brig's time goes, through the public spawn() API: the part that runs synchronously
// on the caller's event loop (validate, plan, encode, stdio, clone3, id maps), the child's
// setup until its execve, and the command's run until it has been reaped.
log(`brig phases (${N.inproc} launches)`);
const phases = await measure('brig phases', async () => {
  const opts = { command: ['/bin/true'], stdout: 'ignore', stderr: 'ignore' };
  const out = { sync: [], ready: [], exit: [], total: [] };
  for (let i = 0; i < N.warmup + N.inproc; i++) {
    const t0 = now();
    const sb = brig.spawn(opts);
    const t1 = now();
    await sb.ready;
    const t2 = now();
    const r = await sb.wait();
    const t3 = now();
    if (r.exitCode !== 0) throw new Error(`brig spawn() of /bin/true: ${JSON.stringify(r)}`);
    if (i < N.warmup) continue;
    out.sync.push(t1 - t0);
    out.ready.push(t2 - t1);
    out.exit.push(t3 - t2);
    out.total.push(t3 - t0);
  }
  return out;
});

// Launches per second: for each in-flight level, every tool back to back.
log(`launches per second with ${INFLIGHT.join(', ')} in flight (${N.pool} launches each)`);
const rate = {}; // key -> { k: launches/s }
const rateJobs = [
  ['floor', 'floor', (k) => cRate(floorBin, k, N.pool, [], 'FLOOR_INFLIGHT')],
  ['brig', 'brig run()', (k) => pool(k, N.pool, () => timeBrig(fullOpts))],
  ...(bwrap ? [
    ['bwrapNode', 'bwrap from Node', (k) => pool(k, N.pool, () => timeSpawn(bwrap, bwrapFull))],
    ['bwrapC', 'bwrap C loop', (k) => cRate(execloopBin, k, N.pool, [bwrap, ...bwrapFull], 'EXEC_INFLIGHT')],
  ] : []),
];
const rateBroken = new Set();
for (const k of INFLIGHT) {
  for (const [key, what, fn] of rateJobs) {
    if (rateBroken.has(key)) continue;
    const v = await measure(`${what}, ${k} in flight`, () => fn(k));
    if (v === undefined) {
      rateBroken.add(key);
      delete rate[key];
    } else (rate[key] ??= {})[k] = v;
  }
}

// Heap sizes: one child Node process per size, each holding its heap for the whole section;
// they measure in turns (brig, then spawn, per round) so drift hits all sizes alike.
log(`heap sizes ${heapSizes.map(mibLabel).join(', ')} (${N.heap} launches of each kind per size, in child Node processes)`);
function heapChild(mib) {
  const c = spawn(process.execPath, ['--max-old-space-size=4096', '--expose-gc', path.join(root, 'bench', 'heap-child.js'), String(mib)],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  let err = '';
  const waiting = [];
  const lines = [];
  const fail = (why) => {
    while (waiting.length) waiting.shift().reject(new Error(why));
  };
  c.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (waiting.length) waiting.shift().resolve(line);
      else lines.push(line);
    }
  });
  c.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  c.on('exit', (code, sig) => fail(`heap-child ${mibLabel(mib)} exited ${code ?? sig}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
  const next = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((resolve, reject) => {
    if (c.exitCode !== null || c.signalCode !== null) reject(new Error(`heap-child ${mibLabel(mib)} is gone: ${err.trim()}`));
    else waiting.push({ resolve, reject });
  }));
  const reply = async () => {
    const r = JSON.parse(await next());
    if (r.error) throw new Error(`heap-child ${mibLabel(mib)}: ${r.error}`);
    return r;
  };
  return {
    mib,
    ready: reply(),
    ask: (what, n, warmup) => {
      c.stdin.write(`${what} ${n} ${warmup}\n`);
      return reply();
    },
    close: () => c.stdin.end(),
  };
}
const heap = [];
const children = [];
for (const mib of heapSizes) {
  // Built one after the other: allocating a GiB of heap is CPU work of its own.
  const child = heapChild(mib);
  const info = await measure(`heap ${mibLabel(mib)}: build the heap`, () => child.ready);
  if (info) children.push({ child, info, brig: [], spawn: [], rss: info.rss, ok: true });
  else child.close();
}
const heapRounds = Math.min(N.rounds, N.heap);
for (let r = 0; r < heapRounds; r++) {
  const count = Math.floor((N.heap * (r + 1)) / heapRounds) - Math.floor((N.heap * r) / heapRounds);
  const warm = r === 0 ? Math.min(10, N.warmup) : 0;
  for (const what of ['brig', 'spawn']) {
    for (const h of children.filter((c) => c.ok)) {
      const v = await measure(`heap ${mibLabel(h.child.mib)}: ${what}`, () => h.child.ask(what, count, warm));
      if (!v) h.ok = false;
      else {
        h[what].push(...v.samples);
        h.rss = Math.max(h.rss, v.rss);
      }
    }
  }
}
for (const h of children) {
  h.child.close();
  if (h.ok) heap.push({ mib: h.child.mib, heapUsed: h.info.heapUsed, rss: h.rss, brig: h.brig, spawn: h.spawn });
}

const elapsed = (now() - t0) / 1000;

// ---------------------------------------------------------------- tables

/** A table: title, header, rows of cells (strings), alignment ('l'/'r' per column), notes. */
const tables = [];
function table(title, header, rows, align, notes = []) {
  tables.push({ title, header, rows, align: align ?? header.map((_, i) => (i === 0 ? 'l' : 'r')), notes });
}
const ms = (v) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const x = (v) => (v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(2)}x`);
const perSec = (v) => (v === undefined ? '-' : v.toFixed(0));
function mibLabel(m) {
  return m >= 1024 && m % 1024 === 0 ? `${m / 1024} GiB` : `${m} MiB`;
}
const S = Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, stats(v)]));
const med = (k) => S[k]?.median;

const latencyRows = [
  ['floor', 'C: clone3 (user,pid,mnt,net,uts,ipc,cgroup,time) + execve + wait', 'floor'],
  ['floorNoNet', 'C: the same without the net namespace', 'floorNoNet'],
  ['brig', 'brig run(), defaults (full isolation, stdout/stderr pipe)', 'floor'],
  ['brigIgnore', "brig run(), full isolation, stdout/stderr 'ignore'", 'floor'],
  ['brigNoNet', 'brig run(), namespaces: { net: false }', 'floorNoNet'],
  ['spawnTrue', "child_process.spawn('/bin/true'), no sandbox", 'floor'],
  ['execloopTrue', 'C posix_spawn /bin/true, no sandbox', 'floor'],
  ['bwrapNode', 'bwrap --unshare-all ..., spawned from Node', 'floor'],
  ['bwrapNoNetNode', 'bwrap --unshare-all --share-net ..., spawned from Node', 'floorNoNet'],
  ['bwrapC', 'bwrap --unshare-all ..., C posix_spawn loop', 'floor'],
  ['bwrapNoNetC', 'bwrap ... --share-net, C posix_spawn loop', 'floorNoNet'],
  ['unshareNode', `unshare ${unshareArgs.includes('--mount-proc') ? '(+--mount-proc) ' : ''}all namespaces, spawned from Node`, 'floor'],
  ['unshareC', 'unshare all namespaces, C posix_spawn loop', 'floor'],
  ['nodeE0', "node -e 0, spawned from Node", undefined],
  ['cli', 'brig CLI: node bin/brig.cjs run -- /bin/true', undefined],
].filter(([k]) => S[k]);
table('Launch latency of /bin/true, sequential (ms)',
  ['row', 'n', 'median', 'p99', 'p99/median', 'vs floor'],
  latencyRows.map(([k, label, ref]) => [label, String(S[k].n), ms(S[k].median), ms(S[k].p99), x(S[k].p99 / S[k].median),
    ref && k !== ref ? x(S[k].median / med(ref)) : '-']),
  ['l', 'r', 'r', 'r', 'r', 'r'],
  ['"vs floor" divides the median by the floor with the same network setting.',
    '"spawned from Node" rows include child_process.spawn\'s own cost (see the spawn(\'/bin/true\') row); "C posix_spawn loop" rows do not.']);

if (phases) {
  const P = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, stats(v)]));
  table("Where brig's launch time goes (ms; spawn() API, stdout/stderr 'ignore')", ['phase', 'median', 'p99'], [
    ['spawn() call returns: validate, plan, encode, stdio, clone3, id maps (blocks the event loop)', ms(P.sync.median), ms(P.sync.p99)],
    ['returned -> ready: the child builds the sandbox and execs', ms(P.ready.median), ms(P.ready.p99)],
    ['ready -> exited: /bin/true runs, exits and is reaped', ms(P.exit.median), ms(P.exit.p99)],
    ['total', ms(P.total.median), ms(P.total.p99)],
  ], ['l', 'r', 'r'], ['Medians of the phases need not add up to the median total.',
    `For scale: the floor's whole launch (clone3 with the same namespaces + execve + wait) took ${ms(med('floor'))} ms.`]);
}

const cliOver = med('cli') - med('nodeE0');
table('CLI start-up (ms, medians)', ['row', 'median'], [
  ['node -e 0', ms(med('nodeE0'))],
  ['brig run -- /bin/true (CLI)', ms(med('cli'))],
  ['CLI over node -e 0', ms(cliOver)],
]);

const rateCols = [['floor', 'floor (C)'], ['brig', 'brig run()'], ['bwrapNode', 'bwrap (Node spawn)'], ['bwrapC', 'bwrap (C loop)']].filter(([k]) => rate[k]);
const rateRatios = [['floor', 'brig/floor'], ['bwrapNode', 'brig/bwrap (Node)'], ['bwrapC', 'brig/bwrap (C)']].filter(([k]) => rate.brig && rate[k]);
if (rateCols.length) {
  table(`Launches per second (${N.pool} launches per level, ${os.cpus().length} cores)`,
    ['in flight', ...rateCols.map(([, l]) => l), ...rateRatios.map(([, l]) => l)],
    INFLIGHT.map((k) => [String(k), ...rateCols.map(([key]) => perSec(rate[key][k])), ...rateRatios.map(([key]) => x(rate.brig[k] / rate[key][k]))]),
    undefined,
    ['brig and "bwrap (Node spawn)" keep k launches in flight from one Node process (a promise pool);',
      'floor and "bwrap (C loop)" do the same from a C loop (FLOOR_INFLIGHT / EXEC_INFLIGHT).']);
}

const heapStats = heap.map((h) => ({ ...h, b: stats(h.brig), s: stats(h.spawn) }));
const hFirst = heapStats[0];
const hLast = heapStats[heapStats.length - 1];
if (heapStats.length) {
  table('Launch latency against the Node heap (ms; child process, --max-old-space-size=4096)',
    ['heap', 'heapUsed MiB', 'rss MiB', 'brig median', 'brig p99', "spawn('/bin/true') median", 'spawn p99'],
    [
      ...heapStats.map((h) => [mibLabel(h.mib), (h.heapUsed / 2 ** 20).toFixed(0), (h.rss / 2 ** 20).toFixed(0), ms(h.b.median), ms(h.b.p99), ms(h.s.median), ms(h.s.p99)]),
      ...(heapStats.length > 1
        ? [[`${mibLabel(hLast.mib)} / ${mibLabel(hFirst.mib)}`, '', '', x(hLast.b.median / hFirst.b.median), x(hLast.b.p99 / hFirst.b.p99), x(hLast.s.median / hFirst.s.median), x(hLast.s.p99 / hFirst.s.p99)]]
        : []),
    ],
    undefined,
    [`${N.heap} launches of each kind per heap size, one child process per size, asked in turns; the heap is JS arrays of doubles, all written and kept reachable.`,
      'heapUsed is taken once the heap is built; rss is the largest seen during the measurements.']);
}

// Targets: informational only. A ratio that could not be measured shows '-'.
const targets = [];
function target(what, value, shown, goal, ok) {
  const known = value !== undefined && Number.isFinite(value);
  targets.push([what, known ? shown(value) : '-', goal, known ? (ok(value) ? 'met' : 'missed') : 'not measured']);
}
const atLeast = (g) => (v) => v >= g;
const atMost = (g) => (v) => v <= g;
target('brig run() / floor, median latency', med('brig') / med('floor'), x, '<= 1.5x (aim 1.3x)', atMost(1.5));
target('bwrap (spawned from Node) / brig run(), median', med('bwrapNode') / med('brig'), x, '>= 2x', atLeast(2));
target('bwrap (C loop) / brig run(), median', med('bwrapC') / med('brig'), x, '>= 2x', atLeast(2));
target('brig CLI - node -e 0, median', cliOver, (v) => `${ms(v)} ms`, '<= 25 ms', atMost(25));
target('brig / floor launches/s, 8 in flight', rate.brig?.[8] / rate.floor?.[8], x, '>= 0.8x', atLeast(0.8));
target('brig / bwrap (Node) launches/s, 8 in flight', rate.brig?.[8] / rate.bwrapNode?.[8], x, '>= 2x', atLeast(2));
target('brig / bwrap (C loop) launches/s, 8 in flight', rate.brig?.[8] / rate.bwrapC?.[8], x, '>= 2x', atLeast(2));
target('brig run() p99 / median (defaults)', S.brig?.p99 / S.brig?.median, x, '<= 3x', atMost(3));
if (heapStats.length > 1) {
  target(`brig median at ${mibLabel(hLast.mib)} / at ${mibLabel(hFirst.mib)} heap`, hLast.b.median / hFirst.b.median, x, '<= 1.2x', atMost(1.2));
}
table('Targets (informational: a benchmark does not pass or fail)', ['target', 'measured', 'goal', 'status'], targets, ['l', 'r', 'l', 'l']);

// ---------------------------------------------------------------- output

const cpuModel = os.cpus()[0]?.model?.trim() ?? 'unknown';
const envLines = [
  `date: ${startedAt.toISOString()}${quick ? ' (--quick)' : ''}`,
  `kernel: ${os.release()}; cores: ${os.cpus().length} (${cpuModel}); memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  `node: ${process.version}; bwrap: ${bwrap ? version(bwrap) : 'not available'}; unshare: ${unshare ? version(unshare) : 'not available'}`,
  `counts: in-process ${N.inproc}, spawned ${N.spawned}, CLI ${N.cli}, per in-flight level ${N.pool}, per heap size ${N.heap}, warm-up ${N.warmup}, rounds ${N.rounds}`,
  ...unavailable.map(([p, why]) => `not measured: ${p} ${why}`),
  ...failed.map(([what, why]) => `FAILED (skipped): ${what}: ${why}`),
  `run time: ${elapsed.toFixed(1)} s; 1-minute load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after (other work on the machine skews every row)`,
];

process.stdout.write(`${envLines.join('\n')}\n\n${tables.map(renderText).join('\n\n')}\n`);
if (markdownFile) {
  const md = `${envLines.map((l) => `- ${l}`).join('\n')}\n\n${tables.map(renderMarkdown).join('\n\n')}\n`;
  log(writeMarkdownSection(markdownFile, 'bench', md, { replaceUnmarked: true }));
}
