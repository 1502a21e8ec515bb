/**
 * A readable listing of a seccomp BPF program, for `--dump-bpf`-style debugging and
 * for test failure messages. Jump targets are printed as absolute instruction indices
 * (the encoding is relative) so a reader can follow the control flow directly, and
 * seccomp_data fields and return actions are named in trailing comments.
 */
import {
  AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, BPF_A, BPF_ABS, BPF_ALU, BPF_IMM,
  BPF_JA, BPF_JMP, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM, BPF_MISC, BPF_NEG, BPF_RET, BPF_ST,
  BPF_STX, BPF_TAX, BPF_TXA, BPF_W, BPF_X, SECCOMP_RET_DATA, type Insn,
} from './bpf.js';
import { actionName } from './interp.js';

/** One line per instruction: `  3: jeq #0x0, jt 4, jf 5`. */
export function disassemble(insns: Insn[]): string {
  const width = Math.max(3, String(insns.length - 1).length);
  return insns.map((insn, i) => formatLine(insn, i, width)).join('\n') + '\n';
}

interface Line {
  text: string;
  comment?: string;
}

const COMMENT_COLUMN = 19;

function formatLine(insn: Insn, i: number, width: number): string {
  const { text, comment } = describe(insn, i);
  const head = `${String(i).padStart(width)}: `;
  if (comment === undefined) return head + text;
  const padded = text.length < COMMENT_COLUMN ? text.padEnd(COMMENT_COLUMN) : `${text} `;
  return `${head}${padded}; ${comment}`;
}

function op(mnemonic: string, operand?: string): string {
  return operand === undefined ? mnemonic : `${mnemonic.padEnd(3)} ${operand}`;
}

function hex(k: number): string {
  return `#0x${k.toString(16)}`;
}

function describe(insn: Insn, i: number): Line {
  switch (insn.code & 0x07) {
    case BPF_LD: return load('ld', insn);
    case BPF_LDX: return load('ldx', insn);
    case BPF_ST: return { text: op('st', `M[${insn.k}]`) };
    case BPF_STX: return { text: op('stx', `M[${insn.k}]`) };
    case BPF_ALU: return alu(insn);
    case BPF_JMP: return jmp(insn, i);
    case BPF_RET: return ret(insn);
    case BPF_MISC: return misc(insn);
    default: return unknown(insn);
  }
}

/** Only W-sized loads exist in seccomp; anything else is shown raw. */
function load(mnemonic: string, insn: Insn): Line {
  if ((insn.code & 0x18) !== BPF_W) return unknown(insn);
  switch (insn.code & 0xe0) {
    case BPF_ABS: return { text: op(mnemonic, `[${insn.k}]`), comment: fieldName(insn.k) };
    case BPF_IMM: return { text: op(mnemonic, hex(insn.k)) };
    case BPF_MEM: return { text: op(mnemonic, `M[${insn.k}]`) };
    case BPF_LEN: return { text: op(mnemonic, '#len'), comment: 'sizeof(seccomp_data)' };
    default: return unknown(insn);
  }
}

/** The seccomp_data field at a byte offset (little-endian halves for 64-bit fields). */
export function fieldName(offset: number): string | undefined {
  if (offset === 0) return 'nr';
  if (offset === 4) return 'arch';
  if (offset === 8) return 'instruction_pointer.lo';
  if (offset === 12) return 'instruction_pointer.hi';
  if (offset >= 16 && offset < 64 && offset % 4 === 0) {
    const arg = Math.floor((offset - 16) / 8);
    return `args[${arg}].${offset % 8 === 0 ? 'lo' : 'hi'}`;
  }
  return undefined;
}

const ALU_NAMES = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'neg', 'mod', 'xor'];
const JMP_NAMES = ['ja', 'jeq', 'jgt', 'jge', 'jset'];

function source(insn: Insn): string {
  return insn.code & BPF_X ? 'x' : hex(insn.k);
}

function alu(insn: Insn): Line {
  const name = ALU_NAMES[(insn.code & 0xf0) >> 4];
  if (name === undefined) return unknown(insn);
  if ((insn.code & 0xf0) === BPF_NEG) return { text: 'neg' };
  return { text: op(name, source(insn)) };
}

const ARCH_NAMES: ReadonlyMap<number, string> = new Map([
  [AUDIT_ARCH_X86_64, 'AUDIT_ARCH_X86_64'],
  [AUDIT_ARCH_AARCH64, 'AUDIT_ARCH_AARCH64'],
  [AUDIT_ARCH_I386, 'AUDIT_ARCH_I386'],
]);

function jmp(insn: Insn, i: number): Line {
  const name = JMP_NAMES[(insn.code & 0xf0) >> 4];
  if (name === undefined) return unknown(insn);
  const next = i + 1;
  if ((insn.code & 0xf0) === BPF_JA) return { text: op('ja', `-> ${next + insn.k}`) };
  const text = op(name, `${source(insn)}, jt ${next + insn.jt}, jf ${next + insn.jf}`);
  const arch = insn.code & BPF_X ? undefined : ARCH_NAMES.get(insn.k);
  return arch === undefined ? { text } : { text, comment: arch };
}

function ret(insn: Insn): Line {
  if ((insn.code & 0x18) === BPF_A) return { text: op('ret', 'a') };
  const data = insn.k & SECCOMP_RET_DATA;
  const action = actionName(insn.k);
  return { text: op('ret', hex(insn.k)), comment: data === 0 ? action : `${action}(${data})` };
}

function misc(insn: Insn): Line {
  const sub = insn.code & 0xf8;
  if (sub === BPF_TXA) return { text: 'txa' };
  return sub === BPF_TAX ? { text: 'tax' } : unknown(insn);
}

function unknown(insn: Insn): Line {
  return {
    text: `.insn 0x${insn.code.toString(16)}, ${insn.jt}, ${insn.jf}, 0x${insn.k.toString(16)}`,
    comment: 'not a seccomp opcode',
  };
}
