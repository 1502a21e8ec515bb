/**
 * Kafel code generator (nsjail.md §8.8): turns a resolved policy into a classic-BPF
 * seccomp program for one architecture.
 *
 * Layout: an architecture check, (x86_64) an x32 check, then a balanced binary tree of
 * `jge` over the syscall-number ranges; each leaf is a `ret` or a per-syscall chain of
 * short-circuit argument checks. The program is emitted backwards, from its last
 * instruction to its first, so every jump target already has a final position when the
 * jump is written: offsets are known at once, far targets get a `ja` trampoline (or a
 * fresh copy of a `ret`), and `ret`s are shared while they stay within the 8-bit reach.
 */
import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_K, BPF_LD, BPF_LDX,
  BPF_MAXINSNS, BPF_MEM, BPF_MEMWORDS, BPF_OR, BPF_RET, BPF_ST, BPF_W, BPF_X, SECCOMP_DATA_ARCH,
  SECCOMP_DATA_NR, SECCOMP_RET_KILL_PROCESS, argHi, argLo, jump, stmt, validate, type Insn,
} from './bpf.js';
import { PolicyError, type Pos } from './errors.js';
import type { CompareOp, ResolvedPolicy } from './policy.js';
import { compilePolicy } from './policy.js';
import type { ParseOptions } from './parser.js';
import { actionValue, isWord, resolveRules, type ArchRule, type Cond, type Value } from './resolve.js';
import { AUDIT_ARCH, type Arch } from './syscalls/index.js';

/** x32 syscalls on x86_64 carry this bit; Kafel lets them through (kafel#19), we kill. */
const X32_SYSCALL_BIT = 0x40000000;
/**
 * Farthest target a conditional jump is given directly. Two below the 8-bit limit,
 * because resolving the other branch may put up to two trampolines before the jump.
 */
const NEAR = 253;
const LD_ABS = BPF_LD | BPF_W | BPF_ABS;

/** A position counted from the end of the program (0 = last instruction); stable while emitting backwards. */
type Label = number;

/** Builds the program back to front; see the module comment. */
class Emitter {
  private readonly rev: Insn[] = [];
  /** Which labels are `ret` instructions, and the latest (nearest) ret of each value. */
  private readonly retValue = new Map<Label, number>();
  private readonly latestRet = new Map<number, Label>();

  /** The label the next emitted instruction will get. */
  get next(): Label {
    return this.rev.length;
  }

  program(): Insn[] {
    return [...this.rev].reverse();
  }

  /** Some `ret value`; jumps to it call `near`, which copies it when it is out of reach. */
  ret(value: number): Label {
    return this.latestRet.get(value) ?? this.emitRet(value);
  }

  /** Straight-line instructions (in program order) ending by falling through into `to`. */
  seq(insns: readonly Insn[], to: Label): Label {
    this.fallInto(to);
    for (let i = insns.length - 1; i >= 0; i--) this.rev.push(insns[i]);
    return this.next - 1;
  }

  /** A conditional jump on A against k (or X) with both branches made reachable. */
  cond(code: number, k: number, t: Label, f: Label): Label {
    const tNear = this.near(t);
    const fNear = this.near(f);
    const at = this.next;
    this.rev.push(jump(code, k, at - tNear - 1, at - fNear - 1));
    return at;
  }

  private emitRet(value: number): Label {
    const at = this.next;
    this.rev.push(stmt(BPF_RET | BPF_K, value));
    this.retValue.set(at, value);
    this.latestRet.set(value, at);
    return at;
  }

  /** A label equivalent to `to` that a conditional jump emitted now can reach. */
  private near(to: Label): Label {
    if (this.next - to - 1 <= NEAR) return to;
    const value = this.retValue.get(to);
    if (value === undefined) return this.emitJa(to);
    // A nearer copy of the same ret may already exist; a new ret costs no more than a ja.
    const latest = this.ret(value);
    return this.next - latest - 1 <= NEAR ? latest : this.emitRet(value);
  }

  private fallInto(to: Label): void {
    if (to === this.next - 1) return;
    const value = this.retValue.get(to);
    if (value !== undefined) this.emitRet(value);
    else this.emitJa(to);
  }

  private emitJa(to: Label): Label {
    const at = this.next;
    this.rev.push(stmt(BPF_JMP | BPF_JA, at - to - 1));
    return at;
  }
}

/** Where A gets compared: a constant k, or X after the operand was loaded into it. */
type Rhs = { readonly x: false; readonly k: number } | { readonly x: true };

/** Emits argument checks as short-circuit jumps to true/false continuations. */
class ExprCompiler {
  constructor(private readonly e: Emitter) {}

  cond(c: Cond, t: Label, f: Label): Label {
    switch (c.kind) {
      case 'const': return c.value ? t : f;
      case 'not': return this.cond(c.operand, f, t);
      case 'and': return this.cond(c.left, this.cond(c.right, t, f), f);
      case 'or': return this.cond(c.left, t, this.cond(c.right, t, f));
      case 'compare': return this.compare(c.op, c.left, c.right, c.pos, t, f);
    }
  }

  /** Constants go to the right (flipping the operator) so they can be jump immediates. */
  private compare(op: CompareOp, left: Value, right: Value, pos: Pos, t: Label, f: Label): Label {
    if (left.kind === 'const') return this.compare(FLIP[op], right, left, pos, t, f);
    const wide = !(isWord(left) && isWord(right));
    switch (op) {
      case '!=': return this.compare('==', left, right, pos, f, t);
      case '<': return this.compare('>=', left, right, pos, f, t);
      case '<=': return this.compare('>', left, right, pos, f, t);
      case '==': {
        const lo = this.word(left, right, false, pos, (r) => this.j(BPF_JEQ, r, t, f));
        return wide ? this.word(left, right, true, pos, (r) => this.j(BPF_JEQ, r, lo, f)) : lo;
      }
      default: {
        const code = op === '>' ? BPF_JGT : BPF_JGE;
        const lo = this.word(left, right, false, pos, (r) => this.j(code, r, t, f));
        if (!wide) return lo;
        // High words decide unless equal; then the low words do.
        return this.word(left, right, true, pos, (r) => this.j(BPF_JGT, r, t, this.j(BPF_JEQ, r, lo, f)));
      }
    }
  }

  private j(code: number, r: Rhs, t: Label, f: Label): Label {
    return this.e.cond(BPF_JMP | code | (r.x ? BPF_X : BPF_K), r.x ? 0 : r.k, t, f);
  }

  /** Load one 32-bit half of both sides, then run the jumps `compareWith` emits. */
  private word(left: Value, right: Value, hi: boolean, pos: Pos, compareWith: (r: Rhs) => Label): Label {
    if (right.kind === 'const') {
      const entry = compareWith({ x: false, k: half(right.value, hi) });
      return this.e.seq(load(left, hi, 0, pos), entry);
    }
    const entry = compareWith({ x: true });
    const insns = [...load(right, hi, 0, pos), stmt(BPF_ST, 0), ...load(left, hi, 1, pos), stmt(BPF_LDX | BPF_W | BPF_MEM, 0)];
    return this.e.seq(insns, entry);
  }
}

const FLIP: Readonly<Record<CompareOp, CompareOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function half(value: bigint, hi: boolean): number {
  return Number(hi ? (value >> 32n) & 0xffffffffn : value & 0xffffffffn);
}

/** Straight-line code leaving one half of `v` in A; scratch words from `depth` up hold right operands. */
function load(v: Value, hi: boolean, depth: number, pos: Pos): Insn[] {
  switch (v.kind) {
    case 'const': return [stmt(BPF_LD | BPF_IMM, half(v.value, hi))];
    case 'arg': return [stmt(LD_ABS, hi ? argHi(v.index) : argLo(v.index))];
    default: {
      const op = v.kind === '&' ? BPF_AND : BPF_OR;
      // Both operators commute, so a constant can always be the immediate.
      const [a, b] = v.left.kind === 'const' ? [v.right, v.left] : [v.left, v.right];
      if (b.kind === 'const') return [...load(a, hi, depth, pos), stmt(BPF_ALU | op | BPF_K, half(b.value, hi))];
      if (depth >= BPF_MEMWORDS) {
        throw new PolicyError(pos, 'Required stack size exceeds available BPF memory', '', `at most ${BPF_MEMWORDS} scratch words`);
      }
      return [...load(b, hi, depth, pos), stmt(BPF_ST, depth), ...load(a, hi, depth + 1, pos),
        stmt(BPF_LDX | BPF_W | BPF_MEM, depth), stmt(BPF_ALU | op | BPF_X, 0)];
    }
  }
}

/** A range of syscall numbers starting at `start` and what they do: a plain action or a rule chain. */
type Range = { readonly start: number; readonly ret: number } | { readonly start: number; readonly rules: readonly ArchRule[] };

/**
 * Cover 0..2^32-1 with ranges: one per syscall with rules, the default in the gaps,
 * and neighbours with the same plain action merged so the tree stays small.
 */
function ranges(rules: readonly ArchRule[], defaultValue: number): Range[] {
  const byNr = new Map<number, ArchRule[]>();
  for (const rule of rules) byNr.set(rule.nr, [...(byNr.get(rule.nr) ?? []), rule]);
  const out: Range[] = [];
  const add = (range: Range): void => {
    const last = out[out.length - 1];
    if (last !== undefined && 'ret' in last && 'ret' in range && last.ret === range.ret) return;
    out.push(range);
  };
  let next = 0;
  for (const nr of [...byNr.keys()].sort((a, b) => a - b)) {
    if (nr > next) add({ start: next, ret: defaultValue });
    const chain = byNr.get(nr) ?? [];
    add(chain[0].cond === undefined ? { start: nr, ret: chain[0].action } : { start: nr, rules: chain });
    next = nr + 1;
  }
  if (next <= 0xffffffff) add({ start: next, ret: defaultValue });
  return out;
}

/** One syscall's rules, first match wins; an unconditional rule ends the chain, else the default. */
function chain(e: Emitter, x: ExprCompiler, rules: readonly ArchRule[], defaultValue: number): Label {
  const end = rules.findIndex((r) => r.cond === undefined);
  const live = end < 0 ? rules : rules.slice(0, end);
  let cont = e.ret(end < 0 ? defaultValue : rules[end].action);
  for (let i = live.length - 1; i >= 0; i--) {
    const { cond, action } = live[i];
    if (cond !== undefined) cont = x.cond(cond, e.ret(action), cont);
  }
  return cont;
}

/** The balanced `jge` tree over ranges[lo..hi]; each leaf is emitted next to its parent. */
function tree(e: Emitter, x: ExprCompiler, rs: readonly Range[], lo: number, hi: number, defaultValue: number): Label {
  if (lo === hi) {
    const r = rs[lo];
    return 'ret' in r ? e.ret(r.ret) : chain(e, x, r.rules, defaultValue);
  }
  const mid = (lo + hi + 1) >> 1;
  const right = tree(e, x, rs, mid, hi, defaultValue);
  const left = tree(e, x, rs, lo, mid - 1, defaultValue);
  return e.cond(BPF_JMP | BPF_JGE | BPF_K, rs[mid].start, right, left);
}

/** Compile a resolved policy for one architecture. Throws PolicyError. */
export function compile(policy: ResolvedPolicy, arch: Arch): Insn[] {
  const rules = resolveRules(policy, arch);
  const defaultValue = actionValue(policy.defaultAction);
  const e = new Emitter();
  const rs = ranges(rules, defaultValue);
  let entry = tree(e, new ExprCompiler(e), rs, 0, rs.length - 1, defaultValue);
  if (arch === 'x86_64') entry = e.cond(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, e.ret(SECCOMP_RET_KILL_PROCESS), entry);
  entry = e.seq([stmt(LD_ABS, SECCOMP_DATA_NR)], entry);
  entry = e.cond(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH[arch], entry, e.ret(SECCOMP_RET_KILL_PROCESS));
  e.seq([stmt(LD_ABS, SECCOMP_DATA_ARCH)], entry);
  const insns = e.program();
  if (insns.length > BPF_MAXINSNS) {
    throw new PolicyError(policy.rules[0]?.pos ?? { line: 1, column: 1 },
      `filter is ${insns.length} instructions long; the kernel allows at most ${BPF_MAXINSNS}`, '',
      'split the policy or merge rules');
  }
  validate(insns);
  return insns;
}

/** Parse, resolve and compile policy text for one architecture. Throws PolicyError. */
export function compileText(text: string, arch: Arch, options: ParseOptions = {}): Insn[] {
  return compile(compilePolicy(text, options), arch);
}
