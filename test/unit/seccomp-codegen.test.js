// Unit tests for src/seccomp/codegen.ts: compiled programs are run in the BPF interpreter
// against thousands of seeded random inputs and compared with a direct evaluation of the
// resolved policy (a small reference evaluator below), plus the architecture and x32
// checks, dispatch depth, jump trampolines, and error reporting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, compileText } from '../../dist/seccomp/codegen.js';
import { compilePolicy } from '../../dist/seccomp/policy.js';
import { PolicyError } from '../../dist/seccomp/errors.js';
import { run } from '../../dist/seccomp/interp.js';
import { validate, BPF_MAXINSNS } from '../../dist/seccomp/bpf.js';
import { lookupSyscall, syscallNames, AUDIT_ARCH } from '../../dist/seccomp/syscalls/index.js';

const T = { timeout: 20000 };
const U64 = (1n << 64n) - 1n;
const U32 = 0xffffffffn;
const KILL_PROCESS = 0x80000000;

// ---- deterministic PRNG (mulberry32) ----
function prng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
  return {
    u32: next,
    int: (n) => next() % n,
    u64: () => (BigInt(next()) << 32n) | BigInt(next()),
    pick: (xs) => xs[next() % xs.length],
  };
}

// ---- reference evaluator over the resolved policy (independent of codegen/resolve) ----
const ACTION = {
  ALLOW: 0x7fff0000, LOG: 0x7ffc0000, KILL: 0, KILL_THREAD: 0, DENY: 0, KILL_PROCESS, USER_NOTIF: 0x7fc00000,
};
const VALUE_ACTION = { ERRNO: 0x00050000, TRAP: 0x00030000, TRACE: 0x7ff00000 };
function actionOf(a) {
  return a.kind in ACTION ? ACTION[a.kind] : (VALUE_ACTION[a.kind] | a.value) >>> 0;
}

function refRules(policy, arch) {
  const out = [];
  for (const rule of policy.rules) {
    if (rule.arch && !rule.arch.includes(arch)) continue;
    let nr;
    let args = new Map();
    if ('number' in rule.syscall) nr = Number(BigInt.asUintN(32, rule.syscall.number));
    else {
      const e = lookupSyscall(arch, rule.syscall.name);
      nr = e.nr;
      if (!rule.args) e.args.forEach(([n, size], i) => args.set(n, { i, size }));
    }
    if (rule.args) args = new Map(rule.args.map((n, i) => [n, { i, size: 8 }]));
    out.push({ nr, action: actionOf(rule.action), expr: rule.expr, args });
  }
  return out;
}

function constOnly(op) {
  return op.kind === 'number' || (op.kind !== 'name' && constOnly(op.left) && constOnly(op.right));
}
function value(op, args, input) {
  if (op.kind === 'number') return BigInt.asUintN(64, op.value);
  if (op.kind === 'name') return (input.args[args.get(op.name).i] ?? 0n) & U64;
  const l = value(op.left, args, input);
  const r = value(op.right, args, input);
  return op.kind === '&' ? l & r : l | r;
}
/** 4 when only the low word matters: 4-byte args and constants (after folding) that fit 32 bits. */
function width(op, args, input) {
  if (constOnly(op)) return value(op, args, input) <= U32 ? 4 : 8;
  if (op.kind === 'name') return args.get(op.name).size;
  return Math.max(width(op.left, args, input), width(op.right, args, input));
}
function holds(op, a, b) {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    default: return a >= b;
  }
}
function evalExpr(e, args, input) {
  switch (e.kind) {
    case 'and': return evalExpr(e.left, args, input) && evalExpr(e.right, args, input);
    case 'or': return evalExpr(e.left, args, input) || evalExpr(e.right, args, input);
    case 'not': return !evalExpr(e.operand, args, input);
    default: {
      let a = value(e.left, args, input);
      let b = value(e.right, args, input);
      if (width(e.left, args, input) === 4 && width(e.right, args, input) === 4) {
        a &= U32;
        b &= U32;
      }
      return holds(e.op, a, b);
    }
  }
}
function reference(policy, rules, arch, input) {
  if (input.arch !== AUDIT_ARCH[arch]) return KILL_PROCESS;
  if (arch === 'x86_64' && input.nr >= 0x40000000) return KILL_PROCESS;
  for (const r of rules) {
    if (r.nr === input.nr && (r.expr === undefined || evalExpr(r.expr, r.args, input))) return r.action;
  }
  return actionOf(policy.defaultAction);
}

// ---- input generation ----
function constantsOf(policy) {
  const out = new Set([0n, 1n, U32, U64]);
  const walkOp = (op) => {
    if (op.kind === 'number') out.add(BigInt.asUintN(64, op.value));
    else if (op.kind !== 'name') { walkOp(op.left); walkOp(op.right); }
  };
  const walk = (e) => {
    if (!e) return;
    if (e.kind === 'compare') { walkOp(e.left); walkOp(e.right); }
    else if (e.kind === 'not') walk(e.operand);
    else { walk(e.left); walk(e.right); }
  };
  policy.rules.forEach((r) => walk(r.expr));
  const values = new Set();
  for (const c of out) {
    for (const d of [c - 1n, c, c + 1n]) {
      const lo = d & U32;
      for (const hi of [0n, 1n, U32]) values.add((hi << 32n) | lo);
      values.add(d & U64);
    }
  }
  return [...values];
}

function inputs(policy, rules, arch, count, seed) {
  const rnd = prng(seed);
  const nrs = [...new Set(rules.map((r) => r.nr))];
  const near = nrs.flatMap((n) => [n, (n + 1) >>> 0, (n - 1) >>> 0]);
  const consts = constantsOf(policy);
  const out = [];
  for (let i = 0; i < count; i++) {
    const k = rnd.int(10);
    let nr;
    if (k < 6 && near.length > 0) nr = rnd.pick(near);
    else if (k < 8) nr = rnd.int(600);
    else nr = rnd.u32();
    const args = [];
    for (let a = 0; a < 6; a++) {
      const m = rnd.int(10);
      // Sometimes repeat an earlier argument, so arg-vs-arg equality is exercised.
      if (m < 6) args.push(rnd.pick(consts));
      else if (m < 8 && a > 0) args.push(args[rnd.int(a)]);
      else args.push(rnd.u64());
    }
    const foreign = rnd.int(50) === 0;
    const x32 = rnd.int(50) === 0;
    out.push({ nr: x32 ? (nr | 0x40000000) >>> 0 : nr, arch: foreign ? 0x40000003 : AUDIT_ARCH[arch], args });
  }
  return out;
}

/** Compile `text` for each arch and check `count` random inputs against the reference. */
function agree(text, arches = ['x86_64', 'aarch64'], count = 3000, seed = 1) {
  const policy = compilePolicy(text);
  const stats = {};
  for (const arch of arches) {
    const prog = compile(policy, arch);
    validate(prog);
    const rules = refRules(policy, arch);
    let maxSteps = 0;
    for (const input of inputs(policy, rules, arch, count, seed)) {
      const got = run(prog, input);
      const want = reference(policy, rules, arch, input);
      if (got.value !== want) {
        assert.fail(`${arch}: nr=${input.nr} arch=0x${input.arch.toString(16)} args=${input.args.map((a) => '0x' + a.toString(16))}: ` +
          `got 0x${got.value.toString(16)}, want 0x${want.toString(16)}\npolicy: ${text}`);
      }
      maxSteps = Math.max(maxSteps, got.steps);
    }
    stats[arch] = { length: prog.length, maxSteps };
  }
  return stats;
}

// ---- property tests, one construct per policy ----
const BOTH = ['x86_64', 'aarch64'];
const POLICIES = {
  'plain allow list': 'ALLOW { read, write, close, exit, exit_group, mmap, munmap }',
  'empty policy': '',
  'DEFAULT ALLOW blocklist': 'DEFAULT ALLOW\nERRNO(1) { ptrace } KILL_PROCESS { kexec_load } LOG { read }',
  'DEFAULT ERRNO': 'DEFAULT ERRNO(38)\nALLOW { read, write }',
  'DEFAULT LOG/TRAP/TRACE/USER_NOTIF/DENY/KILL_PROCESS':
    'DEFAULT TRACE(7)\nLOG { read } TRAP(3) { write } USER_NOTIF { close } DENY { mmap } KILL_PROCESS { munmap } KILL_THREAD { brk } KILL { dup }',
  'conditional chain precedence':
    'ALLOW { write { fd == 1 } } ERRNO(1) { write { fd == 2 }, read } LOG { write { count > 100 } } TRAP(2) { write } ALLOW { write, read }',
  'conditional only, falls to default': 'DEFAULT ERRNO(9)\nALLOW { read { fd == 0 } } ERRNO(2) { read { count == 0 } }',
  'masks': 'ALLOW { read { (fd & 0xf0) == 0x10 }, write { (count | 1) == 0x101 }, mmap { (prot & 0x4) != 0 }, ' +
    'ioctl { (cmd & 0xffff0000ffff) == 3 }, close { (fd | 0x100000000) == 0x100000003 }, lseek { (0xff & offset) > 7 } }',
  'masks of args': 'ALLOW { read { (fd & count) == 1 }, write { (count | 8 | fd) == 8 }, close(a, b) { ((a | 2) & (b | 3)) == 2 }, ' +
    'mmap { (addr | len) & (prot | flags) == fd | off } }',
  'logic': 'ALLOW { write { !(fd == 5 && count == 0) }, read { fd == 0 || fd == 3, count < 10 }, ' +
    'close { !(fd > 3) && fd != 1 }, mmap { (prot == 1 || prot == 3) && !(flags & 0x20 == 0) } }',
  'arg vs arg and const vs arg': 'ALLOW { write { fd == count }, read { count > buf }, mmap { addr <= len, prot >= flags && fd != off }, ' +
    'lseek { fd < whence }, close { 5 < fd }, dup { 0x100000000 >= fildes } }',
  'constant folding': 'ALLOW { read { 1 == 1 }, write { 1 == 2 }, close { 1 == 2 || fd == 3 }, mmap { 1 == 1 && prot == 2 } } ERRNO(4) { write }',
  'custom syscall numbers': '#define MYSYS 500\nERRNO(1) { SYSCALL[-1], MYSYS, SYSCALL[1000](a, b, c) { a == 1 && c != 0x100000000 } } ' +
    'ERRNO(2) { SYSCALL[1000] } ALLOW { SYSCALL[0](x) { x > 4 } }',
  'USE': 'POLICY a { ALLOW { read } }\nPOLICY b { USE a, ERRNO(1) { write { fd == 2 } } }\nUSE b\nERRNO(2) { read, write }\nUSE a',
  'declared args are 64-bit': 'ALLOW { read(f, b, c) { f == 3 }, write(f) { f < 2 }, close(x) { x != 7 } }',
};
const OPS = ['==', '!=', '<', '<=', '>', '>='];

for (const [name, text] of Object.entries(POLICIES)) {
  test(`codegen agrees with the reference: ${name}`, T, () => {
    agree(text, BOTH);
  });
}

for (const op of OPS) {
  test(`codegen agrees with the reference: operator ${op} on 4-byte, 8-byte and declared args`, T, () => {
    const text = `ALLOW { read { fd ${op} 5 }, write { count ${op} 0x100000005 }, close(a) { a ${op} 7 }, ` +
      `lseek { fd ${op} -1 }, mmap { len ${op} 3 }, dup { 9 ${op} fildes } } ` +
      `ERRNO(3) { read { count ${op} 0xfffffffe }, write { fd ${op} 0x7fffffff } } ` +
      `ERRNO(4) { SYSCALL[999](p, q) { p ${op} q }, ioctl { cmd ${op} fd } }`;
    agree(text, BOTH);
  });
}

test('ON guards: rules for other arches are skipped and not validated', T, () => {
  const text = 'ALLOW { read ON x86_64, write ON aarch64, close ON {x86_64, aarch64}, open ON amd64 { flags == 0 } } ERRNO(1) { read, write }';
  agree(text, BOTH);
  assert.throws(() => compileText('ALLOW { open ON aarch64 }', 'aarch64'), /undefined syscall `open'/);
  compileText('ALLOW { open ON x86_64 }', 'aarch64');
});

// ---- architecture ----
test('foreign architecture and x32 syscalls are killed (process)', T, () => {
  const prog = compileText('DEFAULT ALLOW', 'x86_64');
  assert.equal(run(prog, { nr: 0, arch: 0x40000003 }).value, KILL_PROCESS);
  assert.equal(run(prog, { nr: 0, arch: AUDIT_ARCH.aarch64 }).value, KILL_PROCESS);
  assert.equal(run(prog, { nr: 0, arch: AUDIT_ARCH.x86_64 }).action, 'ALLOW');
  for (const nr of [0, 1, 59, 0x3fffffff]) {
    assert.equal(run(prog, { nr: (nr | 0x40000000) >>> 0, arch: AUDIT_ARCH.x86_64 }).value, KILL_PROCESS);
  }
  assert.equal(run(prog, { nr: 0x3fffffff, arch: AUDIT_ARCH.x86_64 }).action, 'ALLOW');
  const arm = compileText('DEFAULT ALLOW', 'aarch64');
  assert.equal(run(arm, { nr: 0, arch: AUDIT_ARCH.x86_64 }).value, KILL_PROCESS);
  // No x32 on aarch64: high numbers reach the DEFAULT.
  assert.equal(run(arm, { nr: 0x40000000, arch: AUDIT_ARCH.aarch64 }).action, 'ALLOW');
});

test('identical return instructions are shared', T, () => {
  const prog = compileText('ALLOW { read, close, mmap, brk } ERRNO(1) { write, munmap }', 'x86_64');
  const rets = prog.filter((i) => i.code === 0x06).map((i) => i.k);
  assert.equal(rets.length, new Set(rets).size, 'one ret per distinct value');
});

// ---- dispatch tree and jump range ----
function bigAllowList(arch, n) {
  const names = syscallNames(arch).slice(0, n);
  const even = names.filter((_, i) => i % 2 === 0);
  const odd = names.filter((_, i) => i % 2 === 1);
  return `ALLOW { ${even.join(', ')} } ERRNO(1) { ${odd.join(', ')} }`;
}

test('dispatch is a balanced tree: 300 syscalls take a logarithmic path', T, () => {
  const text = bigAllowList('x86_64', 300);
  const stats = agree(text, ['x86_64'], 3000, 7);
  const prog = compileText(text, 'x86_64');
  let longest = 0;
  for (let nr = 0; nr < 700; nr++) longest = Math.max(longest, run(prog, { nr, arch: AUDIT_ARCH.x86_64 }).steps);
  assert.ok(longest < 40, `longest path ${longest}`);
  assert.ok(prog.length < BPF_MAXINSNS);
  console.log(`# 300-syscall allow list (x86_64): ${prog.length} instructions, longest path ${longest} steps (${JSON.stringify(stats)})`);
});

test('30-rule conditional policy: length and longest path', T, () => {
  const names = ['read', 'write', 'close', 'mmap', 'munmap', 'brk', 'lseek', 'ioctl', 'dup', 'fcntl'];
  const rules = [];
  for (let i = 0; i < 30; i++) rules.push(`ERRNO(${i + 1}) { ${names[i % 10]}(a, b) { a == ${i} || b > 0x1000000${i} } }`);
  const text = rules.join('\n') + '\nALLOW { read, write }';
  const stats = agree(text, BOTH, 3000, 3);
  console.log(`# 30-rule conditional policy: ${JSON.stringify(stats)}`);
});

test('far jump targets get trampolines and still evaluate correctly', T, () => {
  // 300 syscalls with an argument check each: the tree's upper jumps span far more than 255.
  const names = syscallNames('x86_64').slice(0, 300);
  const text = `DEFAULT ERRNO(1)\nALLOW { ${names.map((n, i) => `${n}(a, b) { a == ${i} || b == 0x${(i + 1).toString(16)}00000000 }`).join(', ')} }`;
  const prog = compileText(text, 'x86_64');
  assert.ok(prog.some((i) => i.code === 0x05), 'has a ja trampoline');
  assert.ok(prog.some((i) => (i.code & 0x07) === 0x05 && i.code !== 0x05 && (i.jt > 200 || i.jf > 200)), 'uses long 8-bit jumps');
  agree(text, ['x86_64'], 4000, 11);
  // One long chain inside a single syscall: the default ret is far from the first checks.
  const chain = [];
  for (let i = 0; i < 120; i++) chain.push(`ERRNO(${i + 2}) { write(x) { x == 0x${(i + 1).toString(16)}0000000${i % 10} } }`);
  const chainText = chain.join('\n');
  const chainProg = compileText(chainText, 'x86_64');
  assert.ok(chainProg.length > 300);
  agree(chainText, BOTH, 3000, 13);
  console.log(`# trampoline policy: ${prog.length} instructions; long chain: ${chainProg.length} instructions`);
});

// ---- errors ----
function policyError(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PolicyError, `expected PolicyError, got ${e}`);
    return e;
  }
  assert.fail('expected a PolicyError');
}

test('unknown syscall: position and did-you-mean hint', T, () => {
  const e = policyError(() => compileText('ALLOW {\n  read, opn\n}', 'x86_64'));
  assert.match(e.message, /^2:9: undefined syscall `opn'/);
  assert.match(e.hint, /`open'/);
  // Named policies are validated even when unused.
  assert.throws(() => compileText('POLICY p { ALLOW { raed } }\nALLOW { read }', 'x86_64'), /undefined syscall `raed'/);
});

test('unknown argument name', T, () => {
  const e = policyError(() => compileText('ALLOW { read { fdd == 1 } }', 'x86_64'));
  assert.match(e.message, /undefined identifier `fdd'/);
  assert.equal(e.line, 1);
  // Declared names replace the table's.
  assert.throws(() => compileText('ALLOW { read(a) { fd == 1 } }', 'x86_64'), /undefined identifier `fd'/);
  // SYSCALL[n] has no names unless declared.
  assert.throws(() => compileText('ALLOW { SYSCALL[0] { fd == 1 } }', 'x86_64'), /undefined identifier `fd'/);
  // A #define shadows an argument.
  agree('#define fd 3\nALLOW { read { fd == 3 } }', ['x86_64'], 200);
});

test('program longer than 4096 instructions', T, () => {
  const rules = [];
  for (let i = 0; i < 1200; i++) rules.push(`SYSCALL[${i * 2}](a) { a == 0x1${i.toString(16).padStart(8, '0')} }`);
  const e = policyError(() => compileText(`ALLOW { ${rules.join(', ')} }`, 'x86_64'));
  assert.match(e.message, /filter is \d+ instructions long; the kernel allows at most 4096/);
});

test('scratch memory overflow is a PolicyError', T, () => {
  let operand = 'a';
  for (let i = 0; i < 17; i++) operand = `(${operand} | b)`;
  assert.throws(() => compileText(`ALLOW { read(a, b) { a == ${operand} } }`, 'x86_64'), /Required stack size exceeds/);
});
