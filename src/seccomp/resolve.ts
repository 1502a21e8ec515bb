/**
 * Per-architecture resolution of a Kafel policy (nsjail.md §8.4, §8.8 step 1): syscall
 * names become numbers from the arch's table, argument names become (index, size),
 * actions become seccomp return values, and constant sub-expressions are folded. The
 * result is what the code generator lays out; every name error surfaces here, with the
 * rule's position, before any code is emitted.
 */
import { nearest } from '../util/suggest.js';
import {
  SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG,
  SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
} from './bpf.js';
import { PolicyError, type Pos } from './errors.js';
import type { Action, CompareOp, Expr, Operand, ResolvedPolicy, Rule } from './policy.js';
import { lookupSyscall, syscallNames, type Arch } from './syscalls/index.js';

/** A 64-bit operand with names resolved; `&`/`|` trees of constants are already folded. */
export type Value =
  | { readonly kind: 'const'; readonly value: bigint }
  | { readonly kind: 'arg'; readonly index: number; readonly size: 4 | 8 }
  | { readonly kind: '&' | '|'; readonly left: Value; readonly right: Value };

/** A condition after folding; 'true'/'false' only survive inside not-yet-simplified trees. */
export type Cond =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Value; readonly right: Value; readonly pos: Pos }
  | { readonly kind: 'and' | 'or'; readonly left: Cond; readonly right: Cond }
  | { readonly kind: 'not'; readonly operand: Cond };

/** One rule for one arch: the syscall number, the return value, and its condition (none = unconditional). */
export interface ArchRule {
  readonly nr: number;
  readonly action: number;
  readonly cond?: Cond;
  readonly pos: Pos;
}

const U32_MAX = 0xffffffffn;
const U64 = 64;

/** The seccomp return value of an action (the table in nsjail.md §8.4). */
export function actionValue(action: Action): number {
  switch (action.kind) {
    case 'ALLOW': return SECCOMP_RET_ALLOW;
    case 'LOG': return SECCOMP_RET_LOG;
    case 'KILL': case 'KILL_THREAD': case 'DENY': return SECCOMP_RET_KILL_THREAD;
    case 'KILL_PROCESS': return SECCOMP_RET_KILL_PROCESS;
    case 'USER_NOTIF': return SECCOMP_RET_USER_NOTIF;
    case 'ERRNO': return (SECCOMP_RET_ERRNO | action.value) >>> 0;
    case 'TRAP': return (SECCOMP_RET_TRAP | action.value) >>> 0;
    case 'TRACE': return (SECCOMP_RET_TRACE | action.value) >>> 0;
  }
}

/**
 * The top-level rules for `arch`, in first-match order, with false conditions dropped
 * and true ones made unconditional. Named policies are validated too (even unused ones,
 * as Kafel does), so a typo in a policy nobody USEs is still reported.
 */
export function resolveRules(policy: ResolvedPolicy, arch: Arch): ArchRule[] {
  for (const named of policy.policies.values()) named.rules.forEach((rule) => resolveRule(rule, arch));
  const out: ArchRule[] = [];
  for (const rule of policy.rules) {
    const resolved = resolveRule(rule, arch);
    if (resolved !== undefined) out.push(resolved);
  }
  return out;
}

/** undefined when an ON guard excludes the arch or the condition folds to false. */
function resolveRule(rule: Rule, arch: Arch): ArchRule | undefined {
  if (rule.arch !== undefined && !rule.arch.includes(arch)) return undefined;
  const { nr, args } = resolveSyscall(rule, arch);
  const action = actionValue(rule.action);
  if (rule.expr === undefined) return { nr, action, pos: rule.pos };
  const cond = resolveExpr(rule.expr, args);
  if (cond.kind === 'const') return cond.value ? { nr, action, pos: rule.pos } : undefined;
  return { nr, action, cond, pos: rule.pos };
}

type ArgTable = ReadonlyMap<string, { index: number; size: 4 | 8 }>;

/** Declared names replace the table's and are all 64-bit; SYSCALL[n] has only declared names. */
function resolveSyscall(rule: Rule, arch: Arch): { nr: number; args: ArgTable } {
  const declared = new Map((rule.args ?? []).map((name, index) => [name, { index, size: 8 as const }]));
  if ('number' in rule.syscall) {
    // Kafel stores custom numbers in a C int: truncated to 32 bits, -1 -> 0xffffffff.
    return { nr: Number(BigInt.asUintN(32, rule.syscall.number)), args: declared };
  }
  const name = rule.syscall.name;
  const entry = lookupSyscall(arch, name);
  if (entry === undefined) {
    const guess = nearest(name, syscallNames(arch));
    throw new PolicyError(rule.pos, `undefined syscall \`${name}'`, name,
      guess === undefined ? `no syscall of that name on ${arch}` : `did you mean \`${guess}'?`);
  }
  if (rule.args !== undefined) return { nr: entry.nr, args: declared };
  return { nr: entry.nr, args: new Map(entry.args.map(([n, size], index) => [n, { index, size }])) };
}

function resolveExpr(expr: Expr, args: ArgTable): Cond {
  switch (expr.kind) {
    case 'compare': return compare(expr.op, resolveOperand(expr.left, args), resolveOperand(expr.right, args), expr.pos);
    case 'not': return not(resolveExpr(expr.operand, args));
    default: return logic(expr.kind, resolveExpr(expr.left, args), resolveExpr(expr.right, args));
  }
}

function resolveOperand(operand: Operand, args: ArgTable): Value {
  switch (operand.kind) {
    case 'number': return { kind: 'const', value: BigInt.asUintN(U64, operand.value) };
    case 'name': {
      const arg = args.get(operand.name);
      if (arg === undefined) {
        throw new PolicyError(operand.pos, `undefined identifier \`${operand.name}'`, operand.name,
          args.size === 0 ? 'this syscall has no argument names; declare them as name(a, b, ...)'
            : `arguments here: ${[...args.keys()].join(', ')}`);
      }
      return { kind: 'arg', index: arg.index, size: arg.size };
    }
    default: {
      const left = resolveOperand(operand.left, args);
      const right = resolveOperand(operand.right, args);
      if (left.kind === 'const' && right.kind === 'const') {
        const value = operand.kind === '&' ? left.value & right.value : left.value | right.value;
        return { kind: 'const', value };
      }
      return { kind: operand.kind, left, right };
    }
  }
}

/**
 * Whether a comparison looks at the low 32 bits only: every argument in it is 4 bytes
 * and every constant fits in 32 bits (Kafel's rule for 4-byte arguments).
 */
export function isWord(v: Value): boolean {
  switch (v.kind) {
    case 'const': return v.value <= U32_MAX;
    case 'arg': return v.size === 4;
    default: return isWord(v.left) && isWord(v.right);
  }
}

function compare(op: CompareOp, left: Value, right: Value, pos: Pos): Cond {
  if (left.kind === 'const' && right.kind === 'const') {
    return { kind: 'const', value: holds(op, left.value, right.value) };
  }
  return { kind: 'compare', op, left, right, pos };
}

/** Unsigned comparison of two values. */
export function holds(op: CompareOp, a: bigint, b: bigint): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

function not(operand: Cond): Cond {
  return operand.kind === 'const' ? { kind: 'const', value: !operand.value } : { kind: 'not', operand };
}

/** Fold a constant side away: `x && false` is false, `x || false` is x, and so on. */
function logic(kind: 'and' | 'or', left: Cond, right: Cond): Cond {
  const absorbing = kind === 'or';
  for (const [c, other] of [[left, right], [right, left]] as const) {
    if (c.kind === 'const') return c.value === absorbing ? c : other;
  }
  return { kind, left, right };
}
