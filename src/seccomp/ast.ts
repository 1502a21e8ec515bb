/**
 * The Kafel AST: what the parser produces and the policy tree consumes, with a source
 * position on every node for error messages.
 */
import type { Pos } from './errors.js';

export type SimpleActionKind = 'ALLOW' | 'LOG' | 'KILL' | 'KILL_THREAD' | 'DENY' | 'KILL_PROCESS' | 'USER_NOTIF';
export type ValueActionKind = 'ERRNO' | 'TRAP' | 'TRACE';
export type Action =
  | { readonly kind: SimpleActionKind; readonly pos: Pos }
  | { readonly kind: ValueActionKind; readonly value: number; readonly pos: Pos };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
/** A value compared in an expression; `constant` names the #define a number came from. */
export type Operand =
  | { readonly kind: 'number'; readonly value: bigint; readonly constant?: string; readonly pos: Pos }
  | { readonly kind: 'name'; readonly name: string; readonly pos: Pos }
  | { readonly kind: '&' | '|'; readonly left: Operand; readonly right: Operand; readonly pos: Pos };
export type Expr =
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Operand; readonly right: Operand; readonly pos: Pos }
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr; readonly pos: Pos }
  | { readonly kind: 'not'; readonly operand: Expr; readonly pos: Pos };

export interface Name { readonly name: string; readonly pos: Pos }
/** A syscall by name (resolved later against a table) or by number (SYSCALL[n] or a #define). */
export type SyscallRef =
  | { readonly kind: 'name'; readonly name: string; readonly pos: Pos }
  | { readonly kind: 'number'; readonly value: bigint; readonly constant?: string; readonly pos: Pos };
export interface SyscallFilter {
  readonly syscall: SyscallRef;
  /** Declared argument names; undefined when the syscall has no `( )`. */
  readonly args?: readonly Name[];
  /** Canonical architecture names from an ON guard. */
  readonly arch?: readonly string[];
  readonly expr?: Expr;
  readonly pos: Pos;
}
export interface ActionBlock { readonly kind: 'action'; readonly action: Action; readonly filters: readonly SyscallFilter[]; readonly pos: Pos }
export interface UseStatement { readonly kind: 'use'; readonly name: string; readonly pos: Pos }
export type PolicyStatement = ActionBlock | UseStatement;
export interface PolicyDef { readonly kind: 'policy'; readonly name: string; readonly body: readonly PolicyStatement[]; readonly pos: Pos }
export interface DefaultStatement { readonly kind: 'default'; readonly action: Action; readonly pos: Pos }
export interface ConstDef { readonly kind: 'define'; readonly name: string; readonly value: bigint; readonly pos: Pos }
export type Statement = PolicyStatement | PolicyDef | DefaultStatement | ConstDef;
export interface Program { readonly statements: readonly Statement[]; readonly constants: ReadonlyMap<string, bigint> }
