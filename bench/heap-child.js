// Helper for bench/launch.js: grow this Node process's V8 heap to a given size, then time
// brig's run() and child_process.spawn() of /bin/true on request.
//
//   node --max-old-space-size=4096 --expose-gc bench/heap-child.js MIB
//
// Protocol (one JSON object per line): once the heap is built it prints
// {"ready":true,"mib","arrays","heapUsed","rss"}; then for each line "brig N WARMUP" or
// "spawn N WARMUP" read from stdin it prints {"samples":[ms...]} (or {"error":"..."}), and
// it exits when stdin closes. bench/launch.js keeps one child per heap size alive and asks
// them in turns, so a burst of other work on the machine hits all heap sizes alike.
//
// The heap is filled with plain JS arrays of doubles (FixedDoubleArray backing stores live
// on the V8 heap, unlike typed arrays, whose memory is external), every element written,
// and the arrays stay reachable until the process ends. A fork-style launch copies the
// page tables of all of it; a CLONE_VM or vfork-style launch should not care.
import { spawn } from 'node:child_process';
import * as readline from 'node:readline';

const mib = Number(process.argv[2] ?? '50');
const targetBytes = mib * 1024 * 1024;

const { run } = await import(new URL('../dist/index.js', import.meta.url).href);

const CHUNK = 1 << 17; // 128 Ki doubles = 1 MiB per array
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
gc();
// Retain (target - what the heap already holds) in 1 MiB arrays, every element written.
const retained = [];
globalThis.__brigBenchHeap = retained;
const chunks = Math.max(0, Math.round((targetBytes - process.memoryUsage().heapUsed) / (CHUNK * 8)));
for (let c = 0; c < chunks; c++) {
  const a = new Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) a[i] = i + 0.5;
  retained.push(a);
}
// Settle: let pending GC work finish so the measurement does not start inside it.
gc();
await new Promise((r) => setTimeout(r, 50));

const now = () => performance.now();

async function timeBrig() {
  const t = now();
  const r = await run({ command: ['/bin/true'] });
  const dt = now() - t;
  if (r.exitCode !== 0) throw new Error(`brig run() of /bin/true: ${JSON.stringify(r)}`);
  return dt;
}

function timeSpawn() {
  return new Promise((resolve, reject) => {
    const t = now();
    const c = spawn('/bin/true', [], { stdio: 'ignore' });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(now() - t) : reject(new Error(`/bin/true exited ${code}`))));
  });
}

async function series(fn, n, warmup) {
  for (let i = 0; i < warmup; i++) await fn();
  const out = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

const send = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const mem = process.memoryUsage();
send({ ready: true, mib, arrays: retained.length, heapUsed: mem.heapUsed, rss: mem.rss });

for await (const line of readline.createInterface({ input: process.stdin })) {
  const [what, n, warmup] = line.trim().split(/\s+/);
  if (!what) continue;
  try {
    const fn = { brig: timeBrig, spawn: timeSpawn }[what];
    if (!fn) throw new Error(`unknown request '${what}'`);
    send({ samples: await series(fn, Number(n), Number(warmup ?? 0)), rss: process.memoryUsage().rss });
  } catch (e) {
    send({ error: String(e?.stack ?? e) });
  }
}
