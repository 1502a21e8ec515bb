#!/usr/bin/env node
// Generates src/seccomp/syscalls/{x86_64,aarch64}.ts — the Kafel-compatible
// syscall tables (name, number, argument names and sizes) — from Linux kernel
// sources.
//
// Usage:
//   node scripts/gen-syscalls.mjs [--out=DIR] KERNEL_SRC_DIR [NEWER_KERNEL_SRC_DIR | OVERLAY.json]
//   (--out defaults to src/seccomp/syscalls)
//
// KERNEL_SRC_DIR is an (at least partially) extracted kernel tree. It needs:
//   Makefile                                   (kernel version)
//   arch/x86/entry/syscalls/syscall_64.tbl     (x86_64 numbers)
//   scripts/syscall.tbl                        (aarch64 numbers, Linux >= 6.11), or
//   include/uapi/asm-generic/unistd.h          (aarch64 numbers, older kernels)
//   arch/arm64/kernel/Makefile.syscalls        (optional: extra aarch64 ABIs)
//   *.c under kernel/ fs/ mm/ net/ ipc/ security/ io_uring/ block/ lib/ init/
//     arch/x86/ arch/arm64/, and drivers/char/random.c (SYSCALL_DEFINEx prototypes)
//
// The optional second argument adds syscalls from a newer kernel: either a
// second (partial) kernel tree with the same layout, which then takes
// precedence, or a JSON overlay (default: scripts/syscalls-newer.json when it
// exists and no second argument is given) of the form
//   { "kernel": "6.18", "source": "...",
//     "tables": { "x86_64": [[nr, abi, name, entry], ...],
//                 "generic": [[nr, abi, name, entry], ...] },
//     "defines": ["SYSCALL_DEFINE3(name, type, arg, ...)", ...] }
//
// Zero dependencies; plain Node >= 20.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const defaultOutDir = path.join(repoRoot, 'src', 'seccomp', 'syscalls');

// ---------------------------------------------------------------------------
// Per-architecture configuration

/** Known preprocessor symbols per arch: 1 = defined/true, 0 = undefined/false. */
const ARCH_CONFIG = {
  x86_64: {
    CONFIG_X86_64: 1, CONFIG_X86_32: 0, CONFIG_64BIT: 1, CONFIG_MMU: 1,
    CONFIG_CLONE_BACKWARDS: 0, CONFIG_CLONE_BACKWARDS2: 0, CONFIG_CLONE_BACKWARDS3: 0,
    CONFIG_POSIX_TIMERS: 1, CONFIG_X86_IOPL_IOPERM: 1, __ARCH_WANT_SYS_CLONE: 1,
    CONFIG_OLD_SIGSUSPEND: 0, CONFIG_OLD_SIGSUSPEND3: 0,
  },
  aarch64: {
    CONFIG_ARM64: 1, CONFIG_X86_64: 0, CONFIG_X86_32: 0, CONFIG_64BIT: 1, CONFIG_MMU: 1,
    CONFIG_CLONE_BACKWARDS: 0, CONFIG_CLONE_BACKWARDS2: 0, CONFIG_CLONE_BACKWARDS3: 0,
    CONFIG_POSIX_TIMERS: 1, __ARCH_WANT_SYS_CLONE: 1,
    CONFIG_OLD_SIGSUSPEND: 0, CONFIG_OLD_SIGSUSPEND3: 0,
    // include/uapi/asm-generic/unistd.h (pre-6.11 kernels), as arm64 sets them
    __BITS_PER_LONG: 64, __SYSCALL_COMPAT: 0, __ARCH_WANT_TIME32_SYSCALLS: 0,
    __ARCH_WANT_RENAMEAT: 1, __ARCH_WANT_NEW_STAT: 1, __ARCH_WANT_STAT64: 0,
    __ARCH_WANT_SET_GET_RLIMIT: 1, __ARCH_WANT_SYS_CLONE3: 1, __ARCH_WANT_MEMFD_SECRET: 1,
    __ARCH_WANT_SYNC_FILE_RANGE2: 0,
  },
};

const COMMON_SRC_DIRS = ['kernel', 'fs', 'mm', 'net', 'ipc', 'security', 'io_uring', 'block', 'lib', 'init'];
const ARCH_SRC_DIRS = { x86_64: ['arch/x86'], aarch64: ['arch/arm64'] };
/** Single files outside those directories that define syscalls. */
const EXTRA_FILES = ['drivers/char/random.c'];
/** Files whose definitions never apply to a 64-bit MMU kernel. */
const EXCLUDED_FILES = [
  /^mm\/nommu\.c$/, /^kernel\/time\/posix-stubs\.c$/, /^arch\/x86\/um\//, /^arch\/x86\/ia32\//,
  /_32\.c$/, /^arch\/x86\/entry\/vdso\//, /^arch\/arm64\/kernel\/sys32\.c$/,
];
/** Aliases accepted in addition to those derived from the tables' name column. */
const EXTRA_ALIASES = { fstatat: 'newfstatat', fstatat64: 'newfstatat' };

// ---------------------------------------------------------------------------
// Small helpers

function die(msg) {
  process.stderr.write(`gen-syscalls: ${msg}\n`);
  process.exit(1);
}
const warnings = [];
function warn(msg) {
  warnings.push(msg);
  process.stderr.write(`gen-syscalls: warning: ${msg}\n`);
}
function readIf(p) {
  try { return fs.readFileSync(p, 'utf8'); } catch { return null; }
}
function kernelVersion(dir) {
  const mk = readIf(path.join(dir, 'Makefile'));
  if (!mk) return 'unknown';
  const get = (k) => ((mk.match(new RegExp(`^${k}[ \\t]*=[ \\t]*([^\\s#]*)`, 'm')) || [])[1] ?? '').trim();
  const v = `${get('VERSION')}.${get('PATCHLEVEL')}`;
  const s = get('SUBLEVEL');
  return s && s !== '0' ? `${v}.${s}${get('EXTRAVERSION')}` : `${v}${get('EXTRAVERSION')}`;
}
function* walkC(dir, rel = '') {
  let ents;
  try { ents = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }); } catch { return; }
  ents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of ents) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walkC(dir, r);
    else if (e.isFile() && e.name.endsWith('.c')) yield r;
  }
}
function stripComments(s) {
  return s.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
}

// ---------------------------------------------------------------------------
// Tiny #if evaluator (three-valued: true / false / null = unknown)

function evalCond(expr, cfg) {
  const toks = expr.replace(/\/\*.*?\*\//g, '').match(/defined|\w+|&&|\|\||==|!=|>=|<=|[!()<>]/g) || [];
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const val = (name) => (Object.prototype.hasOwnProperty.call(cfg, name) ? cfg[name] : null);
  function primary() {
    const t = next();
    if (t === '!') { const v = primary(); return v === null ? null : v ? 0 : 1; }
    if (t === '(') { const v = or(); if (peek() === ')') next(); return v; }
    if (t === 'defined') {
      let n = next();
      if (n === '(') { n = next(); next(); }
      const v = val(n);
      return v === null ? null : v ? 1 : 0;
    }
    if (t === 'IS_ENABLED' || t === 'IS_BUILTIN') { next(); const n = next(); next(); const v = val(n); return v === null ? null : v ? 1 : 0; }
    if (t !== undefined && /^\d+$/.test(t)) return Number(t);
    if (t !== undefined && /^\w+$/.test(t)) return val(t);
    return null;
  }
  function cmp() {
    let a = primary();
    while (['==', '!=', '<', '>', '<=', '>='].includes(peek())) {
      const op = next();
      const b = primary();
      if (a === null || b === null) { a = null; continue; }
      a = Number(op === '==' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b);
    }
    return a;
  }
  function and() {
    let a = cmp();
    while (peek() === '&&') {
      next();
      const b = cmp();
      a = a === 0 || b === 0 ? 0 : a === null || b === null ? null : 1;
    }
    return a;
  }
  function or() {
    let a = and();
    while (peek() === '||') {
      next();
      const b = and();
      a = (a !== null && a !== 0) || (b !== null && b !== 0) ? 1 : a === null || b === null ? null : 0;
    }
    return a;
  }
  const v = or();
  return v === null ? null : v !== 0;
}

/**
 * Tracks #if/#elif/#else/#endif over the lines of a file and returns, for each
 * line index, the list of active condition frames. A frame is
 * { cond: string|null, prev: string[] } meaning "cond holds and none of prev".
 */
function conditionFrames(lines) {
  const stack = [];
  const out = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b(.*)$/);
    if (m) {
      const [, d, rest0] = m;
      const rest = rest0.trim();
      if (d === 'ifdef') stack.push({ cond: `defined(${rest})`, prev: [] });
      else if (d === 'ifndef') stack.push({ cond: `!defined(${rest})`, prev: [] });
      else if (d === 'if') stack.push({ cond: rest, prev: [] });
      else if (d === 'elif' && stack.length) { const f = stack[stack.length - 1]; f.prev.push(f.cond); f.cond = rest; }
      else if (d === 'else' && stack.length) { const f = stack[stack.length - 1]; if (f.cond !== null) f.prev.push(f.cond); f.cond = null; }
      else if (d === 'endif') stack.pop();
    }
    out[i] = stack.map((f) => ({ cond: f.cond, prev: [...f.prev] }));
  }
  return out;
}
function framesHold(frames, cfg) {
  // false if definitely excluded; true otherwise (unknown counts as possible)
  for (const f of frames) {
    if (f.cond !== null && evalCond(f.cond, cfg) === false) return false;
    for (const p of f.prev) if (evalCond(p, cfg) === true) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// SYSCALL_DEFINEx parsing

const SIZE4 = new Set([
  'int', 'unsigned int', 'unsigned', 'signed int', 'signed', 'short', 'unsigned short', 'char', 'unsigned char',
  'signed char', 'bool', '_Bool', 'u8', 'u16', 'u32', 's8', 's16', 's32', '__u8', '__u16', '__u32', '__s8', '__s16',
  '__s32', 'int32_t', 'uint32_t', 'int16_t', 'uint16_t', 'pid_t', 'uid_t', 'gid_t', 'old_uid_t', 'old_gid_t',
  'uid16_t', 'old_gid16_t', 'old_uid16_t', 'umode_t', 'mode_t', 'key_serial_t', 'qid_t', 'clockid_t', 'timer_t',
  'mqd_t', 'rwf_t', '__kernel_rwf_t', 'key_t', 'dev_t', 'old_dev_t', '__kernel_pid_t', '__kernel_uid_t',
  '__kernel_gid_t', '__kernel_mode_t', '__kernel_key_t', '__kernel_mqd_t', '__kernel_timer_t', '__kernel_clockid_t',
  '__kernel_dev_t', 'fmode_t', 'gfp_t', '__le32', '__be32',
]);
const SIZE8 = new Set([
  'long', 'unsigned long', 'long int', 'unsigned long int', 'long long', 'unsigned long long', 'signed long',
  'long unsigned int', 'size_t', 'ssize_t', 'off_t', 'loff_t', 'u64', 's64', '__u64', '__s64', 'uint64_t', 'int64_t',
  '__aligned_u64', 'aio_context_t', 'cap_user_header_t', 'cap_user_data_t', '__kernel_size_t', '__kernel_ssize_t',
  '__kernel_off_t', '__kernel_loff_t', '__kernel_long_t', '__kernel_ulong_t', 'old_sigset_t', 'caddr_t',
  '__kernel_old_time_t', 'time_t', '__sighandler_t', 'time64_t', 'clock_t', 'sector_t', 'uintptr_t', 'intptr_t', 'ino_t', 'nfds_t',
  'unsigned long long int', 'long long int',
]);
const unknownTypes = new Map();
function typeSize(rawType, where) {
  if (/\*/.test(rawType) || /\[\s*\]/.test(rawType)) return 8;
  const t = rawType
    .replace(/\b(__user|const|volatile|__force|restrict|__restrict|register|__kernel)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (SIZE4.has(t)) return 4;
  if (SIZE8.has(t)) return 8;
  if (/^enum\s/.test(t)) return 4;
  if (!unknownTypes.has(t)) unknownTypes.set(t, where);
  return 8;
}

function splitTopLevel(s) {
  const parts = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) { parts.push(cur.trim()); cur = ''; } else cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

/** Parses "SYSCALL_DEFINEn(" + body + ")" text (body without the outer parens). */
function parseDefine(n, body, where) {
  const parts = splitTopLevel(body.replace(/\s+/g, ' '));
  const name = parts.shift();
  if (!name || !/^\w+$/.test(name)) return null;
  if (parts.length !== 2 * n) { warn(`${where}: SYSCALL_DEFINE${n}(${name}) has ${parts.length} type/name items`); return null; }
  const args = [];
  for (let i = 0; i < parts.length; i += 2) {
    const type = parts[i];
    const argName = parts[i + 1];
    args.push([argName, typeSize(type, `${name} in ${where}`), type]);
  }
  return { name, args };
}

/** Finds all SYSCALL_DEFINEx in a C source text. Returns [{name,args,line}]. */
function scanDefines(text, where) {
  const clean = stripComments(text);
  const res = [];
  const re = /(^|[^\w])SYSCALL_DEFINE([0-6])\s*\(/g;
  let m;
  while ((m = re.exec(clean))) {
    const start = m.index + m[0].length;
    let depth = 1;
    let j = start;
    while (j < clean.length && depth > 0) {
      const c = clean[j];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      j++;
    }
    const body = clean.slice(start, j - 1);
    const d = parseDefine(Number(m[2]), body, where);
    if (d) {
      const line = clean.slice(0, m.index + m[1].length).split('\n').length - 1;
      res.push({ ...d, line });
    }
  }
  return res;
}

/**
 * Collects definitions for an arch: Map name -> [{args, file, ok}] where ok
 * says the preprocessor conditions around it can hold for this arch.
 */
function collectDefines(dir, arch) {
  const cfg = ARCH_CONFIG[arch];
  const defs = new Map();
  const dirs = [...ARCH_SRC_DIRS[arch], ...COMMON_SRC_DIRS];
  const files = [];
  for (const sub of dirs) for (const rel0 of walkC(path.join(dir, sub))) files.push(`${sub}/${rel0}`);
  for (const f of EXTRA_FILES) if (fs.existsSync(path.join(dir, f))) files.push(f);
  {
    for (const rel of files) {
      if (EXCLUDED_FILES.some((re) => re.test(rel))) continue;
      const text = fs.readFileSync(path.join(dir, rel), 'utf8');
      if (!text.includes('SYSCALL_DEFINE')) continue;
      const frames = conditionFrames(stripComments(text).split('\n'));
      for (const d of scanDefines(text, rel)) {
        const ok = framesHold(frames[d.line] ?? [], cfg);
        if (!defs.has(d.name)) defs.set(d.name, []);
        defs.get(d.name).push({ args: d.args, file: rel, ok });
      }
    }
  }
  return defs;
}

function pickDefine(defs, name, arch) {
  const cands = (defs.get(name) || []).filter((c) => c.ok);
  if (!cands.length) return null;
  const sig = (c) => c.args.map((a) => `${a[0]}:${a[1]}`).join(',');
  const distinct = new Set(cands.map(sig));
  if (distinct.size > 1) {
    warn(`${arch}: ${name} has ${distinct.size} differing definitions (${cands.map((c) => c.file).join(', ')}); using ${cands[0].file}`);
  }
  return cands[0];
}

// ---------------------------------------------------------------------------
// Syscall tables

/** Parses a .tbl file: returns [{nr, abi, name, entry}] */
function parseTbl(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    const l = line.replace(/#.*/, '').trim();
    if (!l) continue;
    const f = l.split(/\s+/);
    if (f.length < 3) continue;
    rows.push({ nr: Number(f[0]), abi: f[1], name: f[2], entry: f[3] ?? null });
  }
  return rows;
}

/** Pre-6.11: asm-generic/unistd.h with the arm64 (64-bit, non-compat) choices. */
function parseGenericUnistd(text, cfg) {
  const joined = stripComments(text).replace(/\\\n/g, ' ');
  const lines = joined.split('\n');
  const frames = conditionFrames(lines);
  const nrs = new Map(); // __NR_x / __NR3264_x -> number or other macro
  const rows = [];
  const resolve = (sym) => {
    for (let k = 0; k < 5 && typeof sym === 'string' && !/^\d+$/.test(sym); k++) {
      if (!nrs.has(sym)) break;
      sym = nrs.get(sym);
    }
    return /^\d+$/.test(String(sym)) ? Number(sym) : NaN;
  };
  const calls = [];
  for (let i = 0; i < lines.length; i++) {
    if (!framesHold(frames[i], cfg)) continue;
    const l = lines[i].trim();
    let m;
    if ((m = l.match(/^#\s*define\s+(__NR(?:3264)?_\w+)\s+(\w+)/))) { nrs.set(m[1], m[2]); continue; }
    if ((m = l.match(/^(__SYSCALL|__SC_COMP|__SC_3264|__SC_COMP_3264)\s*\((.*)\)\s*$/))) {
      const a = m[2].split(',').map((s) => s.trim());
      let entry;
      if (m[1] === '__SYSCALL' || m[1] === '__SC_COMP') entry = a[1];
      else entry = a[2]; // the 64-bit choice of __SC_3264 / __SC_COMP_3264
      calls.push({ sym: a[0], entry });
    }
  }
  // Name column: __NR_name whose value is the symbol (or the symbol itself).
  const nameOf = new Map();
  for (const [k, v] of nrs) if (/^__NR3264_/.test(v) && k.startsWith('__NR_')) nameOf.set(v, k.slice(5));
  for (const c of calls) {
    const nr = resolve(c.sym);
    if (Number.isNaN(nr)) { warn(`unistd.h: cannot resolve ${c.sym}`); continue; }
    const name = nameOf.get(c.sym) ?? c.sym.replace(/^__NR(3264)?_/, '');
    rows.push({ nr, abi: 'common', name, entry: c.entry });
  }
  return rows;
}

function loadTables(dir) {
  const t = {};
  const x = readIf(path.join(dir, 'arch/x86/entry/syscalls/syscall_64.tbl'));
  if (x) t.x86_64 = { rows: parseTbl(x), src: 'arch/x86/entry/syscalls/syscall_64.tbl', abis: ['common', '64'] };
  const g = readIf(path.join(dir, 'scripts/syscall.tbl'));
  if (g) {
    const abis = ['common', '64'];
    const mk = readIf(path.join(dir, 'arch/arm64/kernel/Makefile.syscalls'));
    if (mk) for (const m of mk.matchAll(/^syscall_abis_64\s*\+?=\s*(.*)$/gm)) abis.push(...m[1].trim().split(/\s+/).filter(Boolean));
    else abis.push('renameat', 'rlimit', 'memfd_secret');
    t.aarch64 = { rows: parseTbl(g), src: 'scripts/syscall.tbl' + (mk ? ' + arch/arm64/kernel/Makefile.syscalls' : ''), abis };
  } else {
    const u = readIf(path.join(dir, 'include/uapi/asm-generic/unistd.h'));
    if (u) t.aarch64 = { rows: parseGenericUnistd(u, ARCH_CONFIG.aarch64), src: 'include/uapi/asm-generic/unistd.h', abis: ['common'] };
  }
  return t;
}

// ---------------------------------------------------------------------------
// Main

let argv = process.argv.slice(2);
let outDir = defaultOutDir;
const outArg = argv.find((a) => a.startsWith('--out='));
if (outArg) {
  outDir = path.resolve(outArg.slice(6));
  argv = argv.filter((a) => a !== outArg);
}
if (argv.length < 1 || argv.length > 2 || argv.includes('-h') || argv.includes('--help')) {
  die('usage: node scripts/gen-syscalls.mjs KERNEL_SRC_DIR [NEWER_KERNEL_SRC_DIR | OVERLAY.json]');
}
const baseDir = path.resolve(argv[0]);
if (!fs.existsSync(path.join(baseDir, 'arch'))) die(`${argv[0]}: not a kernel source tree (no arch/)`);
let second = argv[1] ?? null;
const defaultOverlay = path.join(here, 'syscalls-newer.json');
if (second === null && fs.existsSync(defaultOverlay)) second = defaultOverlay;

const baseVersion = kernelVersion(baseDir);
const baseTables = loadTables(baseDir);
const sourcesUsed = [];

// Overlay (JSON) or newer tree
let overlay = null;
let newerDir = null;
let newerTables = {};
if (second) {
  const p = path.resolve(second);
  if (fs.statSync(p).isDirectory()) {
    newerDir = p;
    newerTables = loadTables(p);
  } else {
    overlay = JSON.parse(fs.readFileSync(p, 'utf8'));
  }
}

const ALIAS_NOTE = {};
const results = {};
for (const arch of ['x86_64', 'aarch64']) {
  const base = baseTables[arch];
  if (!base) die(`${arch}: no syscall table found in ${argv[0]}`);
  const archSources = [`Linux ${baseVersion}: ${base.src} (ABIs ${base.abis.join(', ')})`];
  let rows = base.rows.filter((r) => base.abis.includes(r.abi));
  const defs = collectDefines(baseDir, arch);
  archSources.push(`Linux ${baseVersion}: SYSCALL_DEFINEx in ${[...ARCH_SRC_DIRS[arch], ...COMMON_SRC_DIRS].map((d) => d + '/').join(' ')} ${EXTRA_FILES.join(' ')}`);

  if (newerDir) {
    const nt = newerTables[arch];
    if (nt) {
      rows = nt.rows.filter((r) => nt.abis.includes(r.abi));
      archSources.push(`Linux ${kernelVersion(newerDir)}: ${nt.src} (ABIs ${nt.abis.join(', ')}) replaces the table above`);
    }
    const ndefs = collectDefines(newerDir, arch);
    for (const [k, v] of ndefs) defs.set(k, [...v, ...(defs.get(k) || [])]);
    archSources.push(`Linux ${kernelVersion(newerDir)}: SYSCALL_DEFINEx (take precedence)`);
  }
  if (overlay) {
    const key = arch === 'x86_64' ? 'x86_64' : 'generic';
    const extraAbis = arch === 'x86_64' ? ['common', '64'] : base.abis;
    const extra = (overlay.tables?.[key] || [])
      .map(([nr, abi, name, entry]) => ({ nr, abi, name, entry }))
      .filter((r) => extraAbis.includes(r.abi));
    for (const r of extra) {
      const clash = rows.find((x) => x.nr === r.nr);
      if (clash && clash.entry !== r.entry) die(`${arch}: overlay ${r.name}=${r.nr} clashes with ${clash.name}`);
      if (!clash) rows.push(r);
    }
    for (const text of overlay.defines || []) {
      for (const d of scanDefines(text, 'overlay')) {
        defs.set(d.name, [{ args: d.args, file: 'overlay', ok: true }, ...(defs.get(d.name) || [])]);
      }
    }
    archSources.push(`Linux ${overlay.kernel}: ${extra.length} newer entries from scripts/syscalls-newer.json (${overlay.source})`);
  }

  const entries = [];
  const aliases = {};
  const missing = [];
  for (const r of rows.sort((a, b) => a.nr - b.nr)) {
    if (!r.entry || r.entry === 'sys_ni_syscall') continue;
    const name = r.entry.replace(/^(__x64_|__arm64_)?sys_/, '');
    if (name === r.entry) { warn(`${arch}: unexpected entry point ${r.entry} for ${r.name}`); continue; }
    const d = pickDefine(defs, name, arch);
    if (!d) missing.push(name);
    const args = d ? d.args.map(([n, s]) => [n, s]) : [];
    if (args.length > 6) die(`${arch}: ${name} has more than 6 arguments`);
    entries.push({ name, nr: r.nr, args, tblName: r.name });
  }
  // uniqueness
  const byName = new Map();
  const byNr = new Map();
  for (const e of entries) {
    if (byName.has(e.name)) die(`${arch}: duplicate name ${e.name} (${byName.get(e.name).nr}, ${e.nr})`);
    if (byNr.has(e.nr)) die(`${arch}: duplicate number ${e.nr} (${byNr.get(e.nr).name}, ${e.name})`);
    byName.set(e.name, e);
    byNr.set(e.nr, e);
  }
  for (const e of entries) {
    if (e.tblName !== e.name && !byName.has(e.tblName)) aliases[e.tblName] = e.name;
  }
  for (const [a, t] of Object.entries(EXTRA_ALIASES)) {
    if (byName.has(t) && !byName.has(a) && !(a in aliases)) aliases[a] = t;
  }
  if (missing.length) warn(`${arch}: no SYSCALL_DEFINE found for ${missing.join(', ')} (emitted without argument names)`);
  results[arch] = { entries, aliases, sources: archSources, missing };
  ALIAS_NOTE[arch] = Object.keys(aliases).length;
}

for (const [t, where] of unknownTypes) warn(`unknown C type "${t}" (first seen: ${where}); assumed 8 bytes`);

const kernelLabel = overlay ? `${baseVersion} + ${overlay.kernel} overlay` : newerDir ? `${baseVersion} + ${kernelVersion(newerDir)}` : baseVersion;
for (const [arch, r] of Object.entries(results)) {
  const q = (s) => `'${s}'`;
  const lines = [];
  lines.push('// GENERATED FILE — DO NOT EDIT.');
  lines.push(`// Generated by scripts/gen-syscalls.mjs for ${arch}, Linux ${kernelLabel}.`);
  lines.push('// Sources:');
  for (const s of r.sources) lines.push(`//   - ${s}`);
  lines.push('// Names are the kernel entry points without the sys_ prefix (as Kafel uses them);');
  lines.push('// argument names are spelled as in SYSCALL_DEFINEx; sizes (4 or 8 bytes) come from the C types.');
  if (r.missing.length) lines.push(`// No SYSCALL_DEFINE found (no argument names): ${r.missing.join(', ')}`);
  lines.push("import type { SyscallEntry } from './index.js';");
  lines.push('');
  lines.push('export const SYSCALLS: readonly SyscallEntry[] = [');
  for (const e of r.entries) {
    const args = e.args.map(([n, s]) => `[${q(n)}, ${s}]`).join(', ');
    lines.push(`  { name: ${q(e.name)}, nr: ${e.nr}, args: [${args}] },`);
  }
  lines.push('];');
  lines.push('');
  lines.push('export const ALIASES: Readonly<Record<string, string>> = {');
  for (const [a, t] of Object.entries(r.aliases).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(`  ${/^[A-Za-z_$][\w$]*$/.test(a) ? a : q(a)}: ${q(t)},`);
  }
  lines.push('};');
  lines.push('');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${arch}.ts`), lines.join('\n'));
  const maxNr = Math.max(...r.entries.map((e) => e.nr));
  process.stdout.write(`${arch}: ${r.entries.length} syscalls, highest nr ${maxNr}, ${Object.keys(r.aliases).length} aliases, ${r.missing.length} without args\n`);
}
if (warnings.length) process.stdout.write(`${warnings.length} warning(s)\n`);
