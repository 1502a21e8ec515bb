/**
 * Classic BPF as the kernel's seccomp filter accepts it: the instruction shape, the
 * opcode and seccomp constants, the byte layout of `struct sock_filter`, and a
 * validator that mirrors the kernel's checks (bpf_check_classic + seccomp_check_filter),
 * so a program we emit is rejected here, with an instruction index, rather than by a
 * bare EINVAL from prctl/seccomp(2) at sandbox start.
 */

/** One `struct sock_filter`: code u16, jt u8, jf u8, k u32. */
export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// Instruction classes (code & 0x07).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;

// Load sizes (code & 0x18).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;

// Load modes (code & 0xe0).
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;

// ALU operations (code & 0xf0).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;

// Jump operations (code & 0xf0).
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

// Operand sources (code & 0x08) and RET value sources (code & 0x18).
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_A = 0x10;

// MISC operations (code & 0xf8).
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

/** Kernel limits: program length and scratch memory words. */
export const BPF_MAXINSNS = 4096;
export const BPF_MEMWORDS = 16;

// Seccomp return values; the action is the top 16 bits, the data the low 16.
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

// Audit architecture tokens, as found in seccomp_data.arch.
export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_I386 = 0x40000003;

// `struct seccomp_data` layout; 64-bit fields are split into two u32 loads, the low
// half first on the little-endian machines brig targets.
export const SECCOMP_DATA_NR = 0;
export const SECCOMP_DATA_ARCH = 4;
export const SECCOMP_DATA_IP = 8;
export const SECCOMP_DATA_SIZE = 64;

/** Offset of the low 32 bits of args[i]; the high half is at +4. */
export function argLo(i: number): number {
  return 16 + 8 * i;
}

/** Offset of the high 32 bits of args[i] (little-endian). */
export function argHi(i: number): number {
  return argLo(i) + 4;
}

/** A non-jump instruction. */
export function stmt(code: number, k: number): Insn {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

/** A jump; jt/jf count instructions after the next one, like the kernel. */
export function jump(code: number, k: number, jt: number, jf: number): Insn {
  return { code, jt, jf, k: k >>> 0 };
}

/** A program the kernel would refuse; `index` is the offending instruction, if any. */
export class BpfError extends Error {
  readonly index: number | undefined;

  constructor(index: number | undefined, reason: string) {
    super(index === undefined ? reason : `instruction ${index}: ${reason}`);
    this.name = 'BpfError';
    this.index = index;
  }
}

const INSN_SIZE = 8;

/** Serialise to the kernel's `struct sock_filter[]` bytes (little-endian). */
export function encode(insns: Insn[]): Buffer {
  const buf = Buffer.alloc(insns.length * INSN_SIZE);
  insns.forEach((insn, i) => {
    checkFields(insn, i);
    const at = i * INSN_SIZE;
    buf.writeUInt16LE(insn.code, at);
    buf.writeUInt8(insn.jt, at + 2);
    buf.writeUInt8(insn.jf, at + 3);
    buf.writeUInt32LE(insn.k, at + 4);
  });
  return buf;
}

/** Parse `struct sock_filter[]` bytes back into instructions. */
export function decode(buf: Buffer): Insn[] {
  if (buf.length % INSN_SIZE !== 0) {
    throw new BpfError(undefined, `BPF byte length ${buf.length} is not a multiple of ${INSN_SIZE}`);
  }
  const insns: Insn[] = [];
  for (let at = 0; at < buf.length; at += INSN_SIZE) {
    insns.push({
      code: buf.readUInt16LE(at),
      jt: buf.readUInt8(at + 2),
      jf: buf.readUInt8(at + 3),
      k: buf.readUInt32LE(at + 4),
    });
  }
  return insns;
}

function isUint(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}

/** Field widths of sock_filter; a wider value would be silently truncated on encode. */
function checkFields(insn: Insn, i: number): void {
  if (!isUint(insn.code, 0xffff)) throw new BpfError(i, `code ${insn.code} is not a u16`);
  if (!isUint(insn.jt, 0xff)) throw new BpfError(i, `jt ${insn.jt} is not a u8`);
  if (!isUint(insn.jf, 0xff)) throw new BpfError(i, `jf ${insn.jf} is not a u8`);
  if (!isUint(insn.k, 0xffffffff)) throw new BpfError(i, `k ${insn.k} is not a u32`);
}

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_MOD, BPF_XOR];
const COND_JUMPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET];

/** The opcodes seccomp_check_filter lets through; everything else is EINVAL. */
const SECCOMP_OPCODES: ReadonlySet<number> = new Set([
  BPF_LD | BPF_W | BPF_ABS,
  BPF_LD | BPF_W | BPF_LEN,
  BPF_LDX | BPF_W | BPF_LEN,
  BPF_LD | BPF_IMM,
  BPF_LDX | BPF_IMM,
  BPF_LD | BPF_MEM,
  BPF_LDX | BPF_MEM,
  BPF_ST,
  BPF_STX,
  BPF_MISC | BPF_TAX,
  BPF_MISC | BPF_TXA,
  BPF_ALU | BPF_NEG,
  ...ALU_OPS.flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]),
  BPF_JMP | BPF_JA,
  ...COND_JUMPS.flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
  BPF_RET | BPF_K,
  BPF_RET | BPF_A,
]);

export function isConditionalJump(code: number): boolean {
  return (code & 0x07) === BPF_JMP && (code & 0xf0) !== BPF_JA;
}

/**
 * Throw a BpfError unless the kernel would accept `insns` as a seccomp filter.
 * Jump offsets are unsigned, so every jump is forward by construction; a "backward"
 * JA shows up as a huge k and is caught by the range check.
 */
export function validate(insns: Insn[]): void {
  if (insns.length === 0) throw new BpfError(undefined, 'empty program; the kernel needs at least one instruction');
  if (insns.length > BPF_MAXINSNS) {
    throw new BpfError(BPF_MAXINSNS, `program has ${insns.length} instructions; the kernel allows at most ${BPF_MAXINSNS}`);
  }
  insns.forEach((insn, i) => checkInsn(insn, i, insns.length));
  const last = insns.length - 1;
  if ((insns[last].code & 0x07) !== BPF_RET) {
    throw new BpfError(last, 'the last instruction must be a ret');
  }
  checkScratchInitialised(insns);
}

function checkInsn(insn: Insn, i: number, len: number): void {
  checkFields(insn, i);
  const code = insn.code;
  if (!SECCOMP_OPCODES.has(code)) {
    throw new BpfError(i, `opcode 0x${code.toString(16)} is not allowed in seccomp filters`);
  }
  if (code === (BPF_LD | BPF_W | BPF_ABS)) checkLoadOffset(insn.k, i);
  if (isMemOp(code) && insn.k >= BPF_MEMWORDS) {
    throw new BpfError(i, `scratch memory index ${insn.k} is out of range (0..${BPF_MEMWORDS - 1})`);
  }
  checkAluConstant(insn, i);
  checkJumpTargets(insn, i, len);
}

function checkLoadOffset(k: number, i: number): void {
  if (k >= SECCOMP_DATA_SIZE) {
    throw new BpfError(i, `load offset ${k} is outside seccomp_data (${SECCOMP_DATA_SIZE} bytes)`);
  }
  if (k % 4 !== 0) throw new BpfError(i, `load offset ${k} is not 4-byte aligned`);
}

function isMemOp(code: number): boolean {
  return code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM) || code === BPF_ST || code === BPF_STX;
}

/** bpf_check_classic rejects constant division by zero and shifts of 32 or more. */
function checkAluConstant(insn: Insn, i: number): void {
  if ((insn.code & 0x0f) !== (BPF_ALU | BPF_K)) return;
  const op = insn.code & 0xf0;
  if ((op === BPF_DIV || op === BPF_MOD) && insn.k === 0) throw new BpfError(i, 'division by constant zero');
  if ((op === BPF_LSH || op === BPF_RSH) && insn.k >= 32) throw new BpfError(i, `shift by ${insn.k} (must be < 32)`);
}

function checkJumpTargets(insn: Insn, i: number, len: number): void {
  if ((insn.code & 0x07) !== BPF_JMP) return;
  const targets = isConditionalJump(insn.code) ? [insn.jt, insn.jf] : [insn.k];
  for (const off of targets) {
    const target = i + 1 + off;
    if (target >= len) {
      throw new BpfError(i, `jump target ${target} is outside the program (length ${len})`);
    }
  }
}

/**
 * The kernel's check_load_and_stores: a scratch word may only be read on paths where
 * it was written first. Bit n of a mask means "M[n] is known written here"; a jump
 * target keeps only what holds on every incoming edge.
 */
function checkScratchInitialised(insns: Insn[]): void {
  const ALL = 0xffff;
  const masks = new Array<number>(insns.length).fill(ALL);
  let valid = 0;
  insns.forEach((insn, pc) => {
    valid &= masks[pc];
    const code = insn.code;
    if (code === BPF_ST || code === BPF_STX) valid |= 1 << insn.k;
    else if (code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM)) {
      if ((valid & (1 << insn.k)) === 0) throw new BpfError(pc, `reads M[${insn.k}] before any store to it`);
    } else if ((code & 0x07) === BPF_JMP) {
      const offs = isConditionalJump(code) ? [insn.jt, insn.jf] : [insn.k];
      for (const off of offs) masks[pc + 1 + off] &= valid;
      valid = ALL;
    }
  });
}
