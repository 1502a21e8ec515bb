/**
 * A classic-BPF interpreter for seccomp filters: runs a program against one
 * `struct seccomp_data` and reports the return value, its action and data, and how
 * many instructions ran. Tests and the benchmark use it to check compiled policies
 * without installing them in the kernel.
 */
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM, BPF_RET,
  BPF_ST, BPF_STX, BPF_TXA, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_LSH, BPF_MEMWORDS, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_X, BPF_XOR,
  SECCOMP_DATA_SIZE, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_DATA, type Insn, validate,
} from './bpf.js';

/** The syscall as the filter sees it; 64-bit fields are bigints. */
export interface SeccompInput {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Up to six u64 arguments; missing ones read as 0. */
  args?: bigint[];
}

export interface RunResult {
  /** The filter's u32 return value. */
  value: number;
  /** Name of the action class, e.g. ALLOW or ERRNO. */
  action: string;
  /** The low 16 bits (errno, trace or trap data). */
  data: number;
  /** Instructions executed, including the final ret. */
  steps: number;
}

const ACTIONS: ReadonlyMap<number, string> = new Map([
  [0x80000000, 'KILL_PROCESS'],
  [0x00000000, 'KILL_THREAD'],
  [0x00030000, 'TRAP'],
  [0x00050000, 'ERRNO'],
  [0x7fc00000, 'USER_NOTIF'],
  [0x7ff00000, 'TRACE'],
  [0x7ffc0000, 'LOG'],
  [0x7fff0000, 'ALLOW'],
]);

/**
 * Name the action of a return value. The kernel masks with SECCOMP_RET_ACTION_FULL
 * and its switch falls into the kill path for anything it does not know, so an
 * unknown action behaves as KILL_PROCESS.
 */
export function actionName(value: number): string {
  return ACTIONS.get((value & SECCOMP_RET_ACTION_FULL) >>> 0) ?? 'KILL_PROCESS';
}

const U64_MASK = (1n << 64n) - 1n;

/** Lay out `struct seccomp_data` as a little-endian machine would. */
export function seccompDataBytes(input: SeccompInput): Buffer {
  const buf = Buffer.alloc(SECCOMP_DATA_SIZE);
  buf.writeUInt32LE(input.nr >>> 0, 0);
  buf.writeUInt32LE(input.arch >>> 0, 4);
  buf.writeBigUInt64LE((input.instructionPointer ?? 0n) & U64_MASK, 8);
  const args = input.args ?? [];
  if (args.length > 6) throw new RangeError(`seccomp_data has 6 args, got ${args.length}`);
  args.forEach((arg, i) => buf.writeBigUInt64LE(arg & U64_MASK, 16 + 8 * i));
  return buf;
}

interface Machine {
  a: number;
  x: number;
  mem: number[];
  data: Buffer;
}

/** Run a validated program; refuses (throws BpfError) what the kernel would refuse. */
export function run(insns: Insn[], input: SeccompInput): RunResult {
  validate(insns);
  const m: Machine = { a: 0, x: 0, mem: new Array<number>(BPF_MEMWORDS).fill(0), data: seccompDataBytes(input) };
  let pc = 0;
  let steps = 0;
  // Termination: validate() guarantees every jump is forward and the program ends in ret.
  for (;;) {
    const insn = insns[pc];
    steps++;
    const outcome = step(m, insn);
    if (outcome.kind === 'ret') return result(outcome.value, steps);
    pc += 1 + outcome.skip;
  }
}

function result(value: number, steps: number): RunResult {
  const v = value >>> 0;
  return { value: v, action: actionName(v), data: v & SECCOMP_RET_DATA, steps };
}

type Outcome = { kind: 'next'; skip: number } | { kind: 'ret'; value: number };

const NEXT: Outcome = { kind: 'next', skip: 0 };

/** Execute one instruction; only the opcodes validate() admits reach here. */
function step(m: Machine, insn: Insn): Outcome {
  const cls = insn.code & 0x07;
  switch (cls) {
    case BPF_LD: m.a = load(m, insn); return NEXT;
    case BPF_LDX: m.x = load(m, insn); return NEXT;
    case BPF_ST: m.mem[insn.k] = m.a; return NEXT;
    case BPF_STX: m.mem[insn.k] = m.x; return NEXT;
    case BPF_ALU: return alu(m, insn);
    case BPF_JMP: return { kind: 'next', skip: jumpOffset(m, insn) };
    case BPF_RET: return { kind: 'ret', value: (insn.code & 0x18) === BPF_A ? m.a : insn.k };
    default: // MISC: TAX or TXA
      if ((insn.code & 0xf8) === BPF_TXA) m.a = m.x;
      else m.x = m.a;
      return NEXT;
  }
}

/** LD/LDX value by mode: seccomp loads are native (little-endian) u32 reads. */
function load(m: Machine, insn: Insn): number {
  switch (insn.code & 0xe0) {
    case BPF_ABS: return m.data.readUInt32LE(insn.k);
    case BPF_MEM: return m.mem[insn.k];
    case BPF_LEN: return SECCOMP_DATA_SIZE; // the kernel rewrites LEN to an immediate 64
    default: return insn.k; // BPF_IMM
  }
}

function alu(m: Machine, insn: Insn): Outcome {
  const op = insn.code & 0xf0;
  if (op === BPF_NEG) {
    m.a = -m.a >>> 0;
    return NEXT;
  }
  const src = insn.code & BPF_X ? m.x : insn.k;
  // The kernel's cBPF->eBPF conversion exits with 0 on division by a zero X.
  if ((op === BPF_DIV || op === BPF_MOD) && src === 0) return { kind: 'ret', value: 0 };
  m.a = aluOp(op, m.a, src);
  return NEXT;
}

/** u32 arithmetic; JS shifts take the count mod 32, matching 32-bit eBPF ALU ops. */
function aluOp(op: number, a: number, b: number): number {
  switch (op) {
    case BPF_ADD: return (a + b) >>> 0;
    case BPF_SUB: return (a - b) >>> 0;
    case BPF_MUL: return Math.imul(a, b) >>> 0;
    case BPF_DIV: return Math.floor(a / b) >>> 0;
    case BPF_MOD: return a % b >>> 0;
    case BPF_OR: return (a | b) >>> 0;
    case BPF_AND: return (a & b) >>> 0;
    case BPF_LSH: return (a << b) >>> 0;
    case BPF_RSH: return a >>> b;
    case BPF_XOR: return (a ^ b) >>> 0;
    default: throw new Error(`unreachable ALU op 0x${op.toString(16)}`);
  }
}

/** Instructions to skip after this one; comparisons are unsigned (A, X, k are all u32). */
function jumpOffset(m: Machine, insn: Insn): number {
  const op = insn.code & 0xf0;
  if (op === BPF_JA) return insn.k;
  const b = insn.code & BPF_X ? m.x : insn.k;
  return compare(op, m.a, b) ? insn.jt : insn.jf;
}

function compare(op: number, a: number, b: number): boolean {
  switch (op) {
    case BPF_JEQ: return a === b;
    case BPF_JGT: return a > b;
    case BPF_JGE: return a >= b;
    case BPF_JSET: return (a & b) !== 0;
    default: throw new Error(`unreachable jump op 0x${op.toString(16)}`);
  }
}
