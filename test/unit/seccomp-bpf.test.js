// Unit tests for src/seccomp/bpf.ts, interp.ts and disasm.ts: hand-assembled seccomp
// programs run through the interpreter, the sock_filter byte layout, the kernel-style
// validator's rejections, and the disassembler's listing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../../dist/seccomp/bpf.js';
import { run } from '../../dist/seccomp/interp.js';
import { disassemble } from '../../dist/seccomp/disasm.js';

const T = { timeout: 10000 };
const { stmt, jump } = B;

const LD_ABS = B.BPF_LD | B.BPF_W | B.BPF_ABS;
const JEQ_K = B.BPF_JMP | B.BPF_JEQ | B.BPF_K;
const RET_K = B.BPF_RET | B.BPF_K;
const ALLOW = stmt(RET_K, B.SECCOMP_RET_ALLOW);
const KILL = stmt(RET_K, B.SECCOMP_RET_KILL_PROCESS);
const X86 = B.AUDIT_ARCH_X86_64;
const NR_READ = 0;
const NR_WRITE = 1;
const NR_OPEN = 2;

/** Arch check, then read/write allowed and everything else ERRNO(1). */
const DISPATCH = [
  stmt(LD_ABS, B.SECCOMP_DATA_ARCH),
  jump(JEQ_K, X86, 1, 0),
  KILL,
  stmt(LD_ABS, B.SECCOMP_DATA_NR),
  jump(JEQ_K, NR_READ, 2, 0),
  jump(JEQ_K, NR_WRITE, 1, 0),
  stmt(RET_K, B.SECCOMP_RET_ERRNO | 1),
  ALLOW,
];

/** A program that computes A from `body` and returns it (RET A). */
function compute(body) {
  return [...body, stmt(B.BPF_RET | B.BPF_A, 0)];
}

function ret(body, input = { nr: 0, arch: X86 }) {
  return run(compute(body), input).value;
}

function rejects(insns, index, pattern) {
  assert.throws(() => B.validate(insns), (err) => {
    assert.ok(err instanceof B.BpfError, `expected BpfError, got ${err}`);
    assert.equal(err.index, index);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

test('arch check kills foreign architectures', T, () => {
  const r = run(DISPATCH, { nr: NR_READ, arch: B.AUDIT_ARCH_I386 });
  assert.deepEqual(r, { value: B.SECCOMP_RET_KILL_PROCESS, action: 'KILL_PROCESS', data: 0, steps: 3 });
  assert.equal(run(DISPATCH, { nr: NR_READ, arch: B.AUDIT_ARCH_AARCH64 }).action, 'KILL_PROCESS');
});

test('syscall dispatch allows read/write and returns ERRNO(1) otherwise', T, () => {
  assert.equal(run(DISPATCH, { nr: NR_READ, arch: X86 }).action, 'ALLOW');
  assert.equal(run(DISPATCH, { nr: NR_WRITE, arch: X86 }).action, 'ALLOW');
  const other = run(DISPATCH, { nr: NR_OPEN, arch: X86 });
  assert.equal(other.action, 'ERRNO');
  assert.equal(other.data, 1);
  assert.equal(other.value, 0x00050001);
});

test('steps count executed instructions, including the ret', T, () => {
  // read: 0,1,3,4,7; write: 0,1,3,4,5,7; open: 0,1,3,4,5,6.
  assert.equal(run(DISPATCH, { nr: NR_READ, arch: X86 }).steps, 5);
  assert.equal(run(DISPATCH, { nr: NR_WRITE, arch: X86 }).steps, 6);
  assert.equal(run(DISPATCH, { nr: NR_OPEN, arch: X86 }).steps, 6);
  assert.equal(run([ALLOW], { nr: 0, arch: X86 }).steps, 1);
});

test('64-bit argument comparison checks both halves', T, () => {
  // args[0] == 0x1_0000_0005: high half first, then low half.
  const prog = [
    stmt(LD_ABS, B.argHi(0)),
    jump(JEQ_K, 1, 0, 2),
    stmt(LD_ABS, B.argLo(0)),
    jump(JEQ_K, 5, 1, 0),
    stmt(RET_K, B.SECCOMP_RET_ERRNO | 13),
    ALLOW,
  ];
  const call = (arg) => run(prog, { nr: 0, arch: X86, args: [arg] }).action;
  assert.equal(call(0x1_0000_0005n), 'ALLOW');
  assert.equal(call(0x0_0000_0005n), 'ERRNO', 'low matches, high does not');
  assert.equal(call(0x1_0000_0006n), 'ERRNO', 'high matches, low does not');
  assert.equal(call(0x2_0000_0005n), 'ERRNO');
  assert.equal(B.argLo(0), 16);
  assert.equal(B.argHi(5), 60);
});

test('all arguments and the instruction pointer load little-endian halves', T, () => {
  const args = [1n, 2n, 3n, 4n, 5n, 0xdeadbeef_cafef00dn];
  const input = { nr: 0, arch: X86, instructionPointer: 0x11223344_55667788n, args };
  const at = (k) => ret([stmt(LD_ABS, k)], input);
  for (let i = 0; i < 5; i++) {
    assert.equal(at(B.argLo(i)), i + 1);
    assert.equal(at(B.argHi(i)), 0);
  }
  assert.equal(at(B.argLo(5)), 0xcafef00d);
  assert.equal(at(B.argHi(5)), 0xdeadbeef);
  assert.equal(at(8), 0x55667788);
  assert.equal(at(12), 0x11223344);
  assert.equal(at(0), 0);
  assert.equal(at(4), X86);
  // A negative nr (as the kernel's int) reads back as its u32 pattern.
  assert.equal(ret([stmt(LD_ABS, 0)], { nr: -1, arch: X86 }), 0xffffffff);
});

test('JSET tests A & operand != 0, with K and X', T, () => {
  const JSET_K = B.BPF_JMP | B.BPF_JSET | B.BPF_K;
  const prog = (mask) => [stmt(LD_ABS, B.argLo(1)), jump(JSET_K, mask, 1, 0), ALLOW, KILL];
  const call = (mask, arg) => run(prog(mask), { nr: 0, arch: X86, args: [0n, arg] }).action;
  assert.equal(call(0x4, 0x6n), 'KILL_PROCESS');
  assert.equal(call(0x4, 0x3n), 'ALLOW');
  assert.equal(call(0x80000000, 0x80000000n), 'KILL_PROCESS');
  const jsetX = [
    stmt(B.BPF_LDX | B.BPF_IMM, 0x10),
    stmt(LD_ABS, B.argLo(0)),
    jump(B.BPF_JMP | B.BPF_JSET | B.BPF_X, 0, 1, 0),
    ALLOW,
    KILL,
  ];
  assert.equal(run(jsetX, { nr: 0, arch: X86, args: [0x30n] }).action, 'KILL_PROCESS');
  assert.equal(run(jsetX, { nr: 0, arch: X86, args: [0x20n] }).action, 'ALLOW');
});

test('scratch memory: ST/STX then LD/LDX MEM', T, () => {
  const LD_IMM = B.BPF_LD | B.BPF_IMM;
  const body = [
    stmt(LD_IMM, 42),
    stmt(B.BPF_ST, 3),
    stmt(B.BPF_LDX | B.BPF_IMM, 7),
    stmt(B.BPF_STX, 15),
    stmt(LD_IMM, 0),
    stmt(B.BPF_LDX | B.BPF_MEM, 3),
    stmt(B.BPF_LD | B.BPF_MEM, 15),
    stmt(B.BPF_ALU | B.BPF_ADD | B.BPF_X, 0),
  ];
  assert.equal(ret(body), 49);
});

test('TAX and TXA move between A and X', T, () => {
  const TAX = B.BPF_MISC | B.BPF_TAX;
  const TXA = B.BPF_MISC | B.BPF_TXA;
  assert.equal(ret([stmt(B.BPF_LD | B.BPF_IMM, 9), stmt(TAX, 0), stmt(B.BPF_LD | B.BPF_IMM, 1), stmt(TXA, 0)]), 9);
  assert.equal(ret([stmt(B.BPF_LDX | B.BPF_IMM, 5), stmt(TXA, 0)]), 5);
});

test('LEN loads give sizeof(seccomp_data)', T, () => {
  assert.equal(ret([stmt(B.BPF_LD | B.BPF_W | B.BPF_LEN, 0)]), 64);
  assert.equal(ret([stmt(B.BPF_LDX | B.BPF_W | B.BPF_LEN, 0), stmt(B.BPF_MISC | B.BPF_TXA, 0)]), 64);
});

test('ALU ops are u32 arithmetic, with K and X', T, () => {
  const aluK = (a, op, k) => ret([stmt(B.BPF_LD | B.BPF_IMM, a), stmt(B.BPF_ALU | op | B.BPF_K, k)]);
  const aluX = (a, op, x) =>
    ret([stmt(B.BPF_LD | B.BPF_IMM, a), stmt(B.BPF_LDX | B.BPF_IMM, x), stmt(B.BPF_ALU | op | B.BPF_X, 0)]);
  for (const alu of [aluK, aluX]) {
    assert.equal(alu(0xffffffff, B.BPF_ADD, 2), 1);
    assert.equal(alu(1, B.BPF_SUB, 2), 0xffffffff);
    assert.equal(alu(0x10000, B.BPF_MUL, 0x10001), 0x10000);
    assert.equal(alu(100, B.BPF_DIV, 7), 14);
    assert.equal(alu(0xffffffff, B.BPF_DIV, 2), 0x7fffffff);
    assert.equal(alu(100, B.BPF_MOD, 7), 2);
    assert.equal(alu(0xf0, B.BPF_OR, 0x0f), 0xff);
    assert.equal(alu(0xff, B.BPF_AND, 0x3c), 0x3c);
    assert.equal(alu(1, B.BPF_LSH, 31), 0x80000000);
    assert.equal(alu(0x80000000, B.BPF_RSH, 31), 1);
    assert.equal(alu(0xff, B.BPF_XOR, 0x0f), 0xf0);
  }
  assert.equal(ret([stmt(B.BPF_LD | B.BPF_IMM, 1), stmt(B.BPF_ALU | B.BPF_NEG, 0)]), 0xffffffff);
});

test('division or modulo by X == 0 returns 0 (KILL_THREAD), as the kernel does', T, () => {
  for (const op of [B.BPF_DIV, B.BPF_MOD]) {
    const prog = [stmt(B.BPF_LD | B.BPF_IMM, 5), stmt(B.BPF_LDX | B.BPF_IMM, 0), stmt(B.BPF_ALU | op | B.BPF_X, 0), ALLOW];
    assert.deepEqual(run(prog, { nr: 0, arch: X86 }), { value: 0, action: 'KILL_THREAD', data: 0, steps: 3 });
  }
});

test('JGT/JGE boundaries are unsigned', T, () => {
  const cmp = (op, a, k) => {
    const prog = [stmt(B.BPF_LD | B.BPF_IMM, a), jump(B.BPF_JMP | op | B.BPF_K, k, 1, 0), KILL, ALLOW];
    return run(prog, { nr: 0, arch: X86 }).action === 'ALLOW';
  };
  assert.equal(cmp(B.BPF_JGT, 0xffffffff, 0), true);
  assert.equal(cmp(B.BPF_JGT, 5, 5), false);
  assert.equal(cmp(B.BPF_JGT, 6, 5), true);
  assert.equal(cmp(B.BPF_JGE, 5, 5), true);
  assert.equal(cmp(B.BPF_JGE, 4, 5), false);
  assert.equal(cmp(B.BPF_JGE, 0x80000000, 0x7fffffff), true);
  assert.equal(cmp(B.BPF_JGT, 0, 0xffffffff), false);
  const jgtX = [stmt(B.BPF_LD | B.BPF_IMM, 0xffffffff), stmt(B.BPF_LDX | B.BPF_IMM, 1),
    jump(B.BPF_JMP | B.BPF_JGT | B.BPF_X, 0, 1, 0), KILL, ALLOW];
  assert.equal(run(jgtX, { nr: 0, arch: X86 }).action, 'ALLOW');
});

test('JA jumps k instructions past the next one', T, () => {
  const prog = [stmt(B.BPF_JMP | B.BPF_JA, 2), KILL, KILL, ALLOW];
  assert.deepEqual(run(prog, { nr: 0, arch: X86 }), { value: B.SECCOMP_RET_ALLOW, action: 'ALLOW', data: 0, steps: 2 });
});

test('action names follow SECCOMP_RET_ACTION_FULL; unknown acts as KILL_PROCESS', T, () => {
  const act = (v) => run([stmt(RET_K, v)], { nr: 0, arch: X86 });
  assert.equal(act(B.SECCOMP_RET_KILL_THREAD).action, 'KILL_THREAD');
  assert.equal(act(B.SECCOMP_RET_TRAP | 7).action, 'TRAP');
  assert.equal(act(B.SECCOMP_RET_TRACE | 0x1234).data, 0x1234);
  assert.equal(act(B.SECCOMP_RET_USER_NOTIF).action, 'USER_NOTIF');
  assert.equal(act(B.SECCOMP_RET_LOG).action, 'LOG');
  assert.equal(act(0x12340000).action, 'KILL_PROCESS');
  assert.equal(act(0x80010000).action, 'KILL_PROCESS');
});

test('encode/decode round trip is byte-exact little-endian', T, () => {
  const insns = [stmt(LD_ABS, 4), jump(JEQ_K, X86, 1, 2), stmt(RET_K, B.SECCOMP_RET_ALLOW)];
  const bytes = B.encode(insns);
  assert.equal(bytes.toString('hex'), [
    '2000' + '00' + '00' + '04000000',
    '1500' + '01' + '02' + '3e0000c0',
    '0600' + '00' + '00' + '0000ff7f',
  ].join(''));
  assert.deepEqual(B.decode(bytes), insns);
  assert.deepEqual(B.encode(B.decode(bytes)), bytes);
  assert.throws(() => B.decode(Buffer.alloc(12)), /12 is not a multiple of 8/);
  assert.throws(() => B.encode([{ code: 0x10000, jt: 0, jf: 0, k: 0 }]), B.BpfError);
});

test('validate accepts the hand-assembled programs', T, () => {
  B.validate(DISPATCH);
  B.validate([ALLOW]);
});

test('validate rejects each bad case with its index', T, () => {
  rejects([], undefined, /empty/);
  rejects([jump(JEQ_K, 0, 0, 5), ALLOW], 0, /jump target 6/);
  rejects([stmt(B.BPF_JMP | B.BPF_JA, 1), ALLOW], 0, /jump target 2/);
  rejects([ALLOW, stmt(B.BPF_JMP | B.BPF_JA, 0xffffffff), ALLOW], 1, /outside the program/);
  rejects([stmt(LD_ABS, 0)], 0, /last instruction must be a ret/);
  rejects([stmt(LD_ABS, 0), ALLOW, stmt(LD_ABS, 4)], 2, /ret/);
  rejects([stmt(LD_ABS, 0), stmt(LD_ABS, 6), ALLOW], 1, /not 4-byte aligned/);
  rejects([stmt(LD_ABS, 64), ALLOW], 0, /outside seccomp_data/);
  rejects([stmt(B.BPF_ST, 16), ALLOW], 0, /scratch memory index 16/);
  rejects([stmt(B.BPF_LDX | B.BPF_MEM, 16), ALLOW], 0, /scratch memory index 16/);
  rejects([stmt(B.BPF_LD | B.BPF_IMM, 1), stmt(B.BPF_ALU | B.BPF_DIV | B.BPF_K, 0), ALLOW], 1, /division by constant zero/);
  rejects([stmt(B.BPF_ALU | B.BPF_MOD | B.BPF_K, 0), ALLOW], 0, /division by constant zero/);
  rejects([stmt(B.BPF_ALU | B.BPF_LSH | B.BPF_K, 32), ALLOW], 0, /shift/);
  rejects(new Array(4097).fill(ALLOW), 4096, /at most 4096/);
  B.validate(new Array(4096).fill(ALLOW));
  rejects([stmt(B.BPF_LD | B.BPF_B | B.BPF_ABS, 0), ALLOW], 0, /opcode 0x30/);
  rejects([stmt(B.BPF_LD | B.BPF_W | B.BPF_IND, 0), ALLOW], 0, /not allowed/);
  rejects([stmt(0xffff, 0), ALLOW], 0, /not allowed/);
});

test('validate rejects reading scratch memory that is not written on every path', T, () => {
  rejects([stmt(B.BPF_LD | B.BPF_MEM, 2), ALLOW], 0, /M\[2\] before any store/);
  const oneBranch = [
    stmt(LD_ABS, 0),
    jump(JEQ_K, 0, 0, 1),
    stmt(B.BPF_ST, 0),
    stmt(B.BPF_LD | B.BPF_MEM, 0),
    ALLOW,
  ];
  rejects(oneBranch, 3, /M\[0\]/);
  // Stored before the branch, the read is valid on both paths.
  B.validate([stmt(B.BPF_ST, 0), ...oneBranch]);
});

test('run refuses an invalid program', T, () => {
  assert.throws(() => run([stmt(LD_ABS, 0)], { nr: 0, arch: X86 }), B.BpfError);
});

test('disassembler listing', T, () => {
  const prog = [
    ...DISPATCH.slice(0, 4),
    jump(JEQ_K, NR_READ, 3, 0),
    stmt(LD_ABS, B.argHi(1)),
    jump(B.BPF_JMP | B.BPF_JSET | B.BPF_X, 0, 1, 0),
    stmt(B.BPF_JMP | B.BPF_JA, 0),
    stmt(B.BPF_ST, 1),
    stmt(B.BPF_ALU | B.BPF_AND | B.BPF_K, 0xff),
    stmt(B.BPF_MISC | B.BPF_TAX, 0),
    stmt(RET_K, B.SECCOMP_RET_ERRNO | 1),
    stmt(B.BPF_RET | B.BPF_A, 0),
    ALLOW,
  ];
  const expected = [
    '  0: ld  [4]            ; arch',
    '  1: jeq #0xc000003e, jt 3, jf 2 ; AUDIT_ARCH_X86_64',
    '  2: ret #0x80000000    ; KILL_PROCESS',
    '  3: ld  [0]            ; nr',
    '  4: jeq #0x0, jt 8, jf 5',
    '  5: ld  [28]           ; args[1].hi',
    '  6: jset x, jt 8, jf 7',
    '  7: ja  -> 8',
    '  8: st  M[1]',
    '  9: and #0xff',
    ' 10: tax',
    ' 11: ret #0x50001       ; ERRNO(1)',
    ' 12: ret a',
    ' 13: ret #0x7fff0000    ; ALLOW',
    '',
  ].join('\n');
  assert.equal(disassemble(prog), expected);
  assert.equal(disassemble([stmt(B.BPF_LD | B.BPF_B | B.BPF_ABS, 0)]), '  0: .insn 0x30, 0, 0, 0x0 ; not a seccomp opcode\n');
});
