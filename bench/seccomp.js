#!/usr/bin/env node
// The seccomp benchmark: what brig's Kafel compiler produces (compile time, program length,
// longest path through the filter) for two x86_64 policies, and what a filter costs the
// kernel per system call, next to no filter and a linear filter of the same allow-list.
// Not a test: it prints tables and never fails on a number.
//
//   node bench/seccomp.js [--markdown FILE]
//   node bench/seccomp.js --markdown docs/performance.md   # refresh the documented results
//
// Needs root (the sandbox's default id map), gcc, an x86_64 machine and a built dist/
// (npm run build). BENCH_SECCOMP_N sets the getpid calls per run (5000000);
// BENCH_SECCOMP_RUNS the runs per filter (5); BENCH_SECCOMP_COMPILES the compiles per policy (50).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderMarkdown, renderText, writeMarkdownSection } from './report.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`usage: node bench/seccomp.js [--markdown FILE]

  --markdown FILE  also write the tables as Markdown to FILE; if FILE has the lines
                   <!-- seccomp:begin --> and <!-- seccomp:end --> (docs/performance.md does),
                   only the text between them is replaced, otherwise they are appended

environment: BENCH_SECCOMP_N (getpid calls per run, 5000000), BENCH_SECCOMP_RUNS (5),
             BENCH_SECCOMP_COMPILES (50)
`);
  process.exit(0);
}
const mdIndex = argv.indexOf('--markdown');
const markdownFile = mdIndex >= 0 ? argv[mdIndex + 1] : undefined;
if (mdIndex >= 0 && !markdownFile) die('--markdown needs a file name');
for (const a of argv) if (a.startsWith('-') && a !== '--markdown') die(`unknown option ${a}`);

function die(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(1);
}
function skip(msg) {
  process.stderr.write(`bench: skipped: ${msg}\n`);
  process.exit(0);
}
function log(msg) {
  process.stderr.write(`# ${msg}\n`);
}
function count(name, full) {
  const v = process.env[name];
  if (v === undefined || v === '') return full;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) die(`${name} must be a positive integer, got '${v}'`);
  return n;
}
const N = count('BENCH_SECCOMP_N', 5_000_000);
const RUNS = count('BENCH_SECCOMP_RUNS', 5);
const COMPILES = count('BENCH_SECCOMP_COMPILES', 50);

if (process.geteuid?.() !== 0) skip('run the seccomp benchmark as root (the sandbox\'s default id map needs it)');
if (process.arch !== 'x64') skip(`the kernel measurements are for x86_64; this is ${process.arch}`);

let brig, bpf, codegen, interp, sys;
try {
  const load = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
  [brig, bpf, codegen, interp, sys] = await Promise.all(
    ['index.js', 'seccomp/bpf.js', 'seccomp/codegen.js', 'seccomp/interp.js', 'seccomp/syscalls/index.js'].map(load));
} catch (e) {
  die(`cannot load dist/ (${e.message}); build first: npm run build`);
}

const ARCH = 'x86_64';
const AUDIT = sys.AUDIT_ARCH[ARCH];
const nrOf = (name) => {
  const e = sys.lookupSyscall(ARCH, name);
  if (!e) die(`unknown syscall ${name}`);
  return e.nr;
};

const now = () => performance.now();
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const startedAt = new Date();
const t0 = now();

// ---------------------------------------------------------------- the policies

// 30 rules: ALLOW, ERRNO and KILL, a third of them with argument conditions on 4-byte
// (sig, cmd, op, flags, ...) and 8-byte (prot, offset, len, clone flags, ...) arguments.
// `consts` lists, per argument, the constants its condition compares against: the longest
// path search tries values around them.
const CONDITIONAL_RULES = [
  ['ERRNO(1)', 'kill', 'kill(pid, sig) { sig == 0 }', { sig: [0] }],
  ['ERRNO(1)', 'tkill', 'tkill(tid, sig) { sig == 0 }', { sig: [0] }],
  ['ERRNO(1)', 'ptrace'],
  ['ERRNO(1)', 'process_vm_readv'],
  ['ERRNO(1)', 'process_vm_writev'],
  ['ERRNO(38)', 'io_uring_setup'],
  ['KILL', 'socket', 'socket(family, type, protocol) { family == 16 }', { family: [16] }],
  ['KILL', 'ioctl', 'ioctl(fd, cmd, arg) { cmd == 0x5412 }', { cmd: [0x5412] }],
  ['KILL', 'clone', 'clone(flags, sp, ptid, ctid, tls) { flags & 0x10000000 == 0x10000000 }', { flags: [0x10000000] }],
  ['KILL', 'personality', 'personality(persona) { persona != 0 && persona != 0xffffffff }', { persona: [0, 0xffffffff] }],
  ['KILL', 'kexec_load'],
  ['KILL', 'init_module'],
  ['ALLOW', 'mmap', 'mmap(addr, len, prot, flags, fd, off) { prot & 0x4 == 0 }', { prot: [0x4] }],
  ['ALLOW', 'mprotect', 'mprotect(start, len, prot) { prot & 0x4 == 0 }', { prot: [0x4] }],
  ['ALLOW', 'lseek', 'lseek(fd, offset, whence) { offset <= 0x100000000 && whence <= 2 }', { offset: [0x100000000], whence: [2] }],
  ['ALLOW', 'madvise', 'madvise(start, len, behavior) { len < 0x200000000 && behavior == 4 }', { len: [0x200000000], behavior: [4] }],
  ['ALLOW', 'futex', 'futex(uaddr, op, val, utime, uaddr2, val3) { op == 128 || op == 129 }', { op: [128, 129] }],
  ['ALLOW', 'fcntl', 'fcntl(fd, cmd, arg) { cmd == 1 || cmd == 2 || cmd == 3 }', { cmd: [1, 2, 3] }],
  ['ALLOW', 'prctl', 'prctl(option, arg2, arg3, arg4, arg5) { option == 15 || option == 16 }', { option: [15, 16] }],
  ['ALLOW', 'read'],
  ['ALLOW', 'write'],
  ['ALLOW', 'close'],
  ['ALLOW', 'newfstat'],
  ['ALLOW', 'brk'],
  ['ALLOW', 'exit_group'],
  ['ALLOW', 'rt_sigaction'],
  ['ALLOW', 'rt_sigprocmask'],
  ['ALLOW', 'getpid'],
  ['ALLOW', 'clock_gettime'],
  ['ALLOW', 'execve'],
];
if (CONDITIONAL_RULES.length !== 30) die('the conditional policy must have 30 rules');
function conditionalPolicy() {
  const byAction = new Map();
  for (const [action, name, text] of CONDITIONAL_RULES) {
    if (!byAction.has(action)) byAction.set(action, []);
    byAction.get(action).push(text ?? name);
  }
  return [...byAction].map(([a, items]) => `${a} {\n  ${items.join(',\n  ')}\n}`).join('\n') + '\nDEFAULT KILL\n';
}

// 300 syscalls allowed: getpid, then the first 299 others in number order.
const ALLOW_LIST = ['getpid', ...sys.syscallNames(ARCH).filter((n) => n !== 'getpid').slice(0, 299)];
const allowListPolicy = `ALLOW {\n  ${ALLOW_LIST.join(',\n  ')}\n}\nDEFAULT KILL\n`;
// The kernel loop runs a libc-free binary; everything it calls must be in the list.
for (const need of ['execve', 'getpid', 'clock_gettime', 'write', 'exit_group']) {
  if (!ALLOW_LIST.includes(need)) die(`the 300-syscall list lacks ${need}, which the getpid loop needs`);
}

// A linear filter of the same list, the classic hand-written layout: arch check, load nr,
// one `jeq #nr` + `ret ALLOW` pair per syscall in list order, getpid last (its worst case).
function linearFilter(names) {
  const { stmt, jump } = bpf;
  const J = bpf.BPF_JMP | bpf.BPF_JEQ | bpf.BPF_K;
  const order = [...names.filter((n) => n !== 'getpid'), 'getpid'];
  const out = [
    stmt(bpf.BPF_LD | bpf.BPF_W | bpf.BPF_ABS, bpf.SECCOMP_DATA_ARCH),
    jump(J, AUDIT, 1, 0),
    stmt(bpf.BPF_RET | bpf.BPF_K, bpf.SECCOMP_RET_KILL_PROCESS),
    stmt(bpf.BPF_LD | bpf.BPF_W | bpf.BPF_ABS, bpf.SECCOMP_DATA_NR),
  ];
  for (const n of order) {
    out.push(jump(J, nrOf(n), 0, 1), stmt(bpf.BPF_RET | bpf.BPF_K, bpf.SECCOMP_RET_ALLOW));
  }
  out.push(stmt(bpf.BPF_RET | bpf.BPF_K, bpf.SECCOMP_RET_KILL_PROCESS));
  bpf.validate(out);
  return out;
}

// ---------------------------------------------------------------- compiler side

const MAX_NR = Math.max(...sys.syscallNames(ARCH).map(nrOf));
const U64 = (1n << 64n) - 1n;

/** Values to try for an argument compared against `c`: around it, and with the high word set. */
function around(c) {
  const b = BigInt(c);
  const vs = [b - 1n, b, b + 1n, b | (1n << 32n), (b + 1n) | (1n << 32n), 0n, U64];
  return vs.filter((v) => v >= 0n && v <= U64);
}

/** The longest path (max `steps`) over every syscall number 0..max+10 with zero arguments,
 *  and, for rules with conditions, every combination of values around their constants. */
function longestPath(insns, rules = []) {
  let max = 0;
  let where = '';
  const probe = (nr, args) => {
    const r = interp.run(insns, { nr, arch: AUDIT, args });
    if (r.steps > max) {
      max = r.steps;
      where = sys.syscallByNumber(ARCH, nr)?.name ?? `nr ${nr} (no syscall)`;
    }
  };
  for (let nr = 0; nr <= MAX_NR + 10; nr++) probe(nr, []);
  for (const [, name, text, consts] of rules) {
    if (!text) continue;
    const entry = sys.lookupSyscall(ARCH, name);
    // Kafel names the arguments in the rule; map them to positions by order.
    const argNames = text.slice(text.indexOf('(') + 1, text.indexOf(')')).split(',').map((s) => s.trim());
    const positions = Object.keys(consts).map((a) => argNames.indexOf(a));
    const choices = Object.values(consts).map((cs) => [...new Set(cs.flatMap(around))]);
    const combo = (k, args) => {
      if (k === positions.length) return probe(entry.nr, args);
      for (const v of choices[k]) {
        const next = [...args];
        next[positions[k]] = v;
        combo(k + 1, next);
      }
    };
    combo(0, [0n, 0n, 0n, 0n, 0n, 0n]);
  }
  return { steps: max, where };
}

function compileStats(label, text) {
  let insns;
  for (let i = 0; i < 5; i++) insns = codegen.compileText(text, ARCH); // warm-up
  const times = [];
  for (let i = 0; i < COMPILES; i++) {
    const t = now();
    insns = codegen.compileText(text, ARCH);
    times.push(now() - t);
  }
  return { label, ms: median(times), length: insns.length, insns };
}

log(`compiling each policy ${COMPILES} times`);
const condText = conditionalPolicy();
const cond = compileStats('30 rules, ALLOW/ERRNO/KILL, 11 with argument conditions', condText);
const allow = compileStats('300-syscall allow-list, DEFAULT KILL', allowListPolicy);
log('searching the longest paths with the interpreter');
cond.path = longestPath(cond.insns, CONDITIONAL_RULES);
allow.path = longestPath(allow.insns);
const linear = linearFilter(ALLOW_LIST);
const getpidNr = nrOf('getpid');
const brigGetpidSteps = interp.run(allow.insns, { nr: getpidNr, arch: AUDIT }).steps;
const linearGetpid = interp.run(linear, { nr: getpidNr, arch: AUDIT });
if (linearGetpid.action !== 'ALLOW') die(`the linear filter does not allow getpid: ${linearGetpid.action}`);
const linearPath = longestPath(linear);
// Sanity: both allow-list filters agree on every number.
for (let nr = 0; nr <= MAX_NR + 10; nr++) {
  const a = interp.run(allow.insns, { nr, arch: AUDIT }).action;
  const b = interp.run(linear, { nr, arch: AUDIT }).action;
  if ((a === 'ALLOW') !== (b === 'ALLOW')) die(`brig and linear filters disagree on nr ${nr}: ${a} vs ${b}`);
}

// ---------------------------------------------------------------- kernel side

// getpid in a loop, without libc: its only system calls are clock_gettime, getpid, write and
// exit_group (static glibc's start-up also calls rseq and getrandom, which a 300-name list in
// number order does not hold). Prints the nanoseconds the loop took.
const GETPID_C = String.raw`
#include <sys/syscall.h>
#include <time.h>
static long sys(long nr, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
void _start(void) {
  struct timespec a, b;
  long sink = 0;
  sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&a, 0);
  for (long i = 0; i < LOOPS; i++) sink += sys(SYS_getpid, 0, 0, 0);
  sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&b, 0);
  unsigned long ns = (unsigned long)(b.tv_sec - a.tv_sec) * 1000000000UL + (unsigned long)(b.tv_nsec - a.tv_nsec);
  char buf[32], *p = buf + sizeof buf;
  *--p = '\n';
  do *--p = (char)('0' + ns % 10); while (ns /= 10);
  long w = sys(SYS_write, 1, (long)p, buf + sizeof buf - p);
  sys(SYS_exit_group, (sink <= 0 && LOOPS > 0) || w < 0 ? 3 : 0, 0, 0);
  for (;;) {}
}
`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'brig-bench-seccomp-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
fs.writeFileSync(path.join(work, 'getpid-loop.c'), GETPID_C);
function buildLoop(loops, name) {
  const out = path.join(work, name);
  const r = spawnSync('gcc', ['-static', '-O2', '-nostdlib', '-fno-stack-protector', `-DLOOPS=${loops}L`,
    '-o', out, path.join(work, 'getpid-loop.c')], { encoding: 'utf8' });
  if (r.error) die(`gcc is needed: ${r.error.message}`);
  if (r.status !== 0) die(`gcc failed:\n${r.stderr}`);
  return out;
}
const loopBin = buildLoop(N, 'getpid-loop');
const warmBin = buildLoop(1000, 'getpid-warm'); // a check that each filter lets the loop run
fs.chmodSync(work, 0o755); // the sandbox's user (65534 outside) must reach the binary

const INNER = '/tmp/getpid-loop';
// The kernel caches, per syscall number, whether a filter allows it whatever the arguments
// (SECCOMP_FILTER's action cache, Linux 5.11+): on a hit the filter does not run at all.
// Both allow-list filters hit it for getpid, so the "cache defeated" rows prefix the same
// program with a load of args[0] (one instruction that changes nothing but makes the
// kernel's emulation give up), and the filter runs on every call.
const uncached = (insns) => {
  const out = [bpf.stmt(bpf.BPF_LD | bpf.BPF_W | bpf.BPF_ABS, bpf.argLo(0)), ...insns];
  bpf.validate(out);
  return new Uint8Array(bpf.encode(out));
};
const filters = [
  ['none', 'no filter', undefined],
  ['brig', `brig's compiled 300-syscall filter (${allow.length} insns)`, allowListPolicy],
  ['linear', `linear filter, same list, getpid last (${linear.length} insns)`, new Uint8Array(bpf.encode(linear))],
  ['brigRun', "brig's filter, kernel cache defeated", uncached(allow.insns)],
  ['linearRun', 'linear filter, kernel cache defeated', uncached(linear)],
];
const stepsOf = { brig: brigGetpidSteps, linear: linearGetpid.steps, brigRun: brigGetpidSteps + 1, linearRun: linearGetpid.steps + 1 };
async function once(seccomp, bin = loopBin, loops = N) {
  const r = await brig.run({
    command: [INNER],
    mounts: [{ type: 'bind', source: bin, target: INNER, readOnly: true }],
    ...(seccomp === undefined ? {} : { seccomp }),
  });
  const ns = Number(String(r.stdout).trim());
  if (r.exitCode !== 0 || !(ns > 0)) throw new Error(`getpid loop failed: ${JSON.stringify({ ...r, stdout: String(r.stdout).slice(0, 200) })}`);
  return ns / loops;
}
log(`getpid loop: ${N} calls, ${RUNS} runs per filter, interleaved`);
const perCall = Object.fromEntries(filters.map(([k]) => [k, []]));
for (const [, , s] of filters) await once(s, warmBin, 1000);
for (let i = 0; i < RUNS; i++) {
  for (const [k, , s] of filters) perCall[k].push(await once(s));
}
const nsPer = Object.fromEntries(filters.map(([k]) => [k, median(perCall[k])]));
const elapsed = (now() - t0) / 1000;

// ---------------------------------------------------------------- tables

const tables = [];
function table(title, header, rows, align, notes = []) {
  tables.push({ title, header, rows, align: align ?? header.map((_, i) => (i === 0 ? 'l' : 'r')), notes });
}
const f = (v, d = 2) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(d));
const x = (v) => `${v.toFixed(2)}x`;
const signed = (v) => (v < 0 ? `-${f(-v)}` : `+${f(v)}`);

table('Compiled policies (x86_64)',
  ['policy', 'compile ms (median)', 'instructions', 'longest path', 'longest at'],
  [cond, allow].map((p) => [p.label, f(p.ms, 3), String(p.length), String(p.path.steps), p.path.where]),
  ['l', 'r', 'r', 'r', 'l'],
  [`compile: median of ${COMPILES} compileText() calls after 5 warm-ups; longest path: the interpreter's steps (instructions run, the ret included), max over syscall numbers 0..${MAX_NR + 10} and, for the 30-rule policy, argument values around each constant.`,
    `the same allow-list as a linear filter: ${linear.length} instructions, longest path ${linearPath.steps} (${linearPath.where}); getpid takes ${linearGetpid.steps} steps there, ${brigGetpidSteps} in brig's filter.`]);

table(`getpid in a loop inside brig (ns per call, median of ${RUNS} runs of ${N.toLocaleString('en-US')} calls)`,
  ['filter', 'ns per getpid', 'getpid steps', 'vs no filter'],
  filters.map(([k, label]) => [label, f(nsPer[k]), k === 'none' ? '-' : String(stepsOf[k]),
    k === 'none' ? '-' : x(nsPer[k] / nsPer.none)]),
  ['l', 'r', 'r', 'r'],
  [`brig vs no filter: ${x(nsPer.brig / nsPer.none)} (${signed(nsPer.brig - nsPer.none)} ns per call); linear vs brig: ${x(nsPer.linear / nsPer.brig)} (${signed(nsPer.linear - nsPer.brig)} ns per call); with the cache defeated, linear vs brig: ${x(nsPer.linearRun / nsPer.brigRun)} (${signed(nsPer.linearRun - nsPer.brigRun)} ns per call).`,
    '"getpid steps": instructions the interpreter runs for getpid (the kernel runs the same program JIT-compiled); the cache-defeated rows run one more.',
    'the loop is a static binary without libc (raw syscall instructions), timed with CLOCK_MONOTONIC around the loop only; runs of the rows are interleaved.']);

const envLines = [
  `date: ${startedAt.toISOString()}`,
  `kernel: ${os.release()}; cores: ${os.cpus().length} (${os.cpus()[0]?.model?.trim() ?? 'unknown'})`,
  `node: ${process.version}; run time: ${elapsed.toFixed(1)} s`,
];

process.stdout.write(`${envLines.join('\n')}\n\n${tables.map(renderText).join('\n\n')}\n`);
if (markdownFile) {
  const md = `${envLines.map((l) => `- ${l}`).join('\n')}\n\n${tables.map(renderMarkdown).join('\n\n')}\n`;
  log(writeMarkdownSection(markdownFile, 'seccomp', md));
}
