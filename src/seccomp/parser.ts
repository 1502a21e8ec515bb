/**
 * Kafel parser (nsjail.md §8.3): a recursive-descent parser from the token stream to
 * a positioned AST. It checks what Kafel checks while parsing — action values, declared
 * arguments, ON guards, #define — and leaves USE, DEFAULT and policy names to ./policy.
 * Syscall and argument names stay unresolved: no syscall tables exist at this stage.
 */
import { nearest } from '../util/suggest.js';
import { PolicyError, type Pos } from './errors.js';
import { tokenizeWithIncludes, type Keyword, type LexOptions, type Operator, type Token } from './lexer.js';

export type { IncludeReader } from './lexer.js';
export type { SimpleActionKind, ValueActionKind, Action, CompareOp, Operand, Expr, Name, SyscallRef, SyscallFilter, ActionBlock, UseStatement, PolicyStatement, PolicyDef, DefaultStatement, ConstDef, Statement, Program } from './ast.js';
import type { SimpleActionKind, ValueActionKind, Action, CompareOp, Operand, Expr, Name, SyscallRef, SyscallFilter, PolicyStatement, PolicyDef, ConstDef, Statement, Program } from './ast.js';
export type ParseOptions = LexOptions;


/** ON guard names (case-insensitive) and the canonical name each stands for. */
export const ARCH_ALIASES: ReadonlyMap<string, string> = new Map([
  ['arm', 'arm'], ['aarch64', 'aarch64'], ['arm64', 'aarch64'], ['x86_64', 'x86_64'], ['amd64', 'x86_64'],
  ['x86', 'x86'], ['i386', 'x86'], ['mips', 'mips'], ['mipso32', 'mips'], ['mips64', 'mips64'],
  ['riscv64', 'riscv64'], ['rv64', 'riscv64'], ['m68k', 'm68k'],
]);
export const MAX_SYSCALL_ARGS = 6;
export const MAX_EXPR_DEPTH = 200;
const SIMPLE_ACTIONS: readonly string[] = ['ALLOW', 'LOG', 'KILL', 'KILL_THREAD', 'DENY', 'KILL_PROCESS', 'USER_NOTIF'];
const VALUE_ACTIONS: readonly string[] = ['ERRNO', 'TRAP', 'TRACE'];
const STATEMENT_WORDS = [...SIMPLE_ACTIONS, ...VALUE_ACTIONS, 'POLICY', 'USE', 'DEFAULT'];
const COMPARE_OPS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];

/** Parse a policy (and the files it includes) into an AST. Throws PolicyError. */
export function parse(text: string, options: ParseOptions = {}): Program {
  return new Parser(tokenizeWithIncludes(text, options)).program();
}

/** How a token is named in "unexpected ..." messages. */
export function describeToken(token: Token): string {
  if (token.kind === 'eof') return 'end of file';
  if (token.kind === 'identifier') return `identifier '${token.text}'`;
  if (token.kind === 'number') return `number '${token.text}'`;
  return `'${token.text}'`;
}

class Parser {
  private index = 0;
  private nesting = 0;
  private readonly constants = new Map<string, bigint>();
  /** Tree depth of each expression node built, so Kafel's depth limit needs no second walk. */
  private readonly depths = new WeakMap<object, number>();

  constructor(private readonly tokens: readonly Token[]) {}

  program(): Program {
    const statements: Statement[] = [];
    while (this.peek().kind !== 'eof') statements.push(...this.topStatement());
    return { statements, constants: this.constants };
  }

  // ---- token helpers ----
  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)];
  }
  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }
  private isOp(op: Operator, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'operator' && t.op === op;
  }
  /** Consume `op` if it is next. */
  private accept(op: Operator): boolean {
    if (!this.isOp(op)) return false;
    this.next();
    return true;
  }
  private isKeyword(word: Keyword): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.keyword === word;
  }
  private expectOp(op: Operator, expecting = `'${op}'`, hint?: string): Token {
    if (!this.isOp(op)) this.fail(this.peek(), expecting, hint);
    return this.next();
  }
  private expectIdentifier(what = 'identifier'): Name {
    const t = this.peek();
    if (t.kind !== 'identifier') this.fail(t, what);
    this.next();
    return { name: t.text, pos: t.pos };
  }
  private fail(token: Token, expecting: string, hint?: string): never {
    throw new PolicyError(token.pos, `syntax error, unexpected ${describeToken(token)}, expecting ${expecting}`, token.text, hint);
  }

  // ---- statements ----
  private topStatement(): Statement[] {
    const t = this.peek();
    if (this.isOp('#')) return [this.constDef()];
    if (this.isKeyword('POLICY')) return [this.policyDef()];
    if (this.isKeyword('DEFAULT')) {
      this.next();
      return [{ kind: 'default', action: this.action(), pos: t.pos }];
    }
    if (this.startsPolicyStatement()) return this.policyStatements(false);
    this.fail(t, 'an action, USE, POLICY, DEFAULT or #define', misspeltKeyword(t));
  }

  private startsPolicyStatement(): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && (t.keyword === 'USE' || SIMPLE_ACTIONS.includes(t.keyword) || VALUE_ACTIONS.includes(t.keyword));
  }

  private constDef(): ConstDef {
    const hash = this.next();
    if (!this.isKeyword('define')) this.fail(this.peek(), "'define'", 'the only directives are #define and #include');
    this.next();
    const name = this.expectIdentifier();
    const value = this.peek();
    if (value.kind !== 'number') this.fail(value, 'number', 'a #define value must be a number literal');
    this.next();
    const previous = this.constants.get(name.name);
    if (previous !== undefined && previous !== value.value) {
      throw new PolicyError(name.pos, `Redefinition of constant \`${name.name}'`, name.name,
        `it was already defined as ${previous}; a constant may only be redefined with the same value`);
    }
    this.constants.set(name.name, value.value);
    return { kind: 'define', name: name.name, value: value.value, pos: hash.pos };
  }

  private policyDef(): PolicyDef {
    const start = this.next();
    const name = this.expectIdentifier('policy name');
    this.expectOp('{');
    const body = this.isOp('}') ? [] : this.policyStatements(true);
    this.rejectDefaultInPolicy();
    this.expectOp('}', "',' or '}'", 'statements inside POLICY are separated by commas');
    return { kind: 'policy', name: name.name, body, pos: start.pos };
  }

  /** `stmt { , stmt }` — the body of a POLICY, or one top-level program statement. */
  private policyStatements(inPolicy: boolean): PolicyStatement[] {
    const list = [this.policyStatement(inPolicy)];
    while (this.accept(',')) list.push(this.policyStatement(inPolicy));
    return list;
  }

  private policyStatement(inPolicy: boolean): PolicyStatement {
    if (inPolicy) this.rejectDefaultInPolicy();
    const t = this.peek();
    if (this.isKeyword('USE')) {
      this.next();
      const name = this.expectIdentifier('policy name');
      return { kind: 'use', name: name.name, pos: name.pos };
    }
    if (!this.startsPolicyStatement()) this.fail(t, 'an action or USE', misspeltKeyword(t));
    const action = this.action();
    this.expectOp('{');
    const filters: SyscallFilter[] = [];
    if (!this.isOp('}')) {
      filters.push(this.syscallFilter());
      while (this.accept(',')) filters.push(this.syscallFilter());
    }
    this.expectOp('}', "',' or '}'");
    return { kind: 'action', action, filters, pos: t.pos };
  }

  /** Kafel's grammar has no DEFAULT inside POLICY, though nsjail's README once showed one. */
  private rejectDefaultInPolicy(): void {
    const t = this.peek();
    if (!this.isKeyword('DEFAULT')) return;
    throw new PolicyError(t.pos, "syntax error, unexpected 'DEFAULT': DEFAULT is not allowed inside POLICY", t.text,
      'put DEFAULT at the top level, outside the POLICY block');
  }

  private action(): Action {
    const t = this.next();
    if (t.kind === 'keyword' && SIMPLE_ACTIONS.includes(t.keyword)) {
      return { kind: t.keyword as SimpleActionKind, pos: t.pos };
    }
    if (t.kind !== 'keyword' || !VALUE_ACTIONS.includes(t.keyword)) {
      this.fail(t, 'an action (ALLOW, LOG, KILL, KILL_THREAD, KILL_PROCESS, DENY, USER_NOTIF, ERRNO, TRAP, TRACE)', misspeltKeyword(t));
    }
    const kind = t.keyword as ValueActionKind;
    this.expectOp('(', "'('", `${kind} takes a value, e.g. ${kind}(1)`);
    const valueToken = this.peek();
    const value = this.numberValue();
    this.expectOp(')');
    if (value > 0xffffn) {
      const label = kind.charAt(0) + kind.slice(1).toLowerCase();
      throw new PolicyError(valueToken.pos, `${label} value ${value} out of range (0-65535)`, valueToken.text);
    }
    return { kind, value: Number(value), pos: t.pos };
  }

  /** A number literal or an already #defined constant. */
  private numberValue(): bigint {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return t.value;
    }
    const constant = t.kind === 'identifier' ? this.constants.get(t.text) : undefined;
    if (constant === undefined) {
      this.fail(t, 'number', t.kind === 'identifier' ? `\`${t.text}' is not a #define'd constant (at this point)` : undefined);
    }
    this.next();
    return constant;
  }

  // ---- syscall filters ----
  private syscallFilter(): SyscallFilter {
    const syscall = this.syscallRef();
    const args = this.isOp('(') ? this.declaredArgs() : undefined;
    const arch = this.isKeyword('ON') ? this.archGuard() : undefined;
    let expr: Expr | undefined;
    if (this.accept('{')) {
      if (!this.isOp('}')) expr = this.boolExpr();
      this.expectOp('}', "',', '||', '&&' or '}'");
    }
    return { syscall, args, arch, expr, pos: syscall.pos };
  }

  private syscallRef(): SyscallRef {
    const t = this.peek();
    if (t.kind === 'identifier') {
      this.next();
      // Kafel looks constants up first: a #define'd name is a custom syscall number.
      const value = this.constants.get(t.text);
      if (value !== undefined) return { kind: 'number', value, constant: t.text, pos: t.pos };
      return { kind: 'name', name: t.text, pos: t.pos };
    }
    if (!this.isKeyword('SYSCALL')) this.fail(t, 'syscall name or SYSCALL[number]');
    this.next();
    this.expectOp('[');
    const value = this.numberValue();
    this.expectOp(']');
    return { kind: 'number', value, pos: t.pos };
  }

  private declaredArgs(): Name[] {
    this.next();
    const args: Name[] = [];
    while (!this.isOp(')')) {
      if (args.length > 0) this.expectOp(',', "',' or ')'");
      const arg = this.expectIdentifier('argument name');
      if (args.some((a) => a.name === arg.name)) {
        throw new PolicyError(arg.pos, `Redefinition of argument \`${arg.name}'`, arg.name);
      }
      if (args.length === MAX_SYSCALL_ARGS) {
        throw new PolicyError(arg.pos, 'Too many arguments defined for syscall', arg.name,
          `a syscall has at most ${MAX_SYSCALL_ARGS} arguments`);
      }
      args.push(arg);
    }
    this.next();
    return args;
  }

  private archGuard(): string[] {
    this.next();
    if (!this.accept('{')) return [this.archName([])];
    const arches = [this.archName([])];
    while (this.accept(',')) arches.push(this.archName(arches));
    this.expectOp('}', "',' or '}'");
    return arches;
  }

  private archName(seen: readonly string[]): string {
    const name = this.expectIdentifier('architecture name');
    const arch = ARCH_ALIASES.get(name.name.toLowerCase());
    if (arch === undefined) {
      const guess = nearest(name.name, ARCH_ALIASES.keys());
      throw new PolicyError(name.pos, `Unknown architecture \`${name.name}'`, name.name,
        guess === undefined ? `known: ${[...new Set(ARCH_ALIASES.values())].join(', ')}` : `did you mean \`${guess}'?`);
    }
    if (seen.includes(arch)) {
      throw new PolicyError(name.pos, `Duplicate architecture \`${name.name}'`, name.name, `already listed as \`${arch}'`);
    }
    return arch;
  }

  // ---- expressions (lowest precedence first) ----
  // Comma is OR like `||` but binds looser, so `a, b || c && d` is `a || (b || (c && d))`.
  private boolExpr = (): Expr => this.binaryChain(this.orExpr, ',', 'or');
  private orExpr = (): Expr => this.binaryChain(this.andExpr, '||', 'or');
  private andExpr = (): Expr => this.binaryChain(() => this.primary(), '&&', 'and');

  private binaryChain<T extends Expr | Operand>(sub: () => T, op: Operator, kind: T['kind']): T {
    let left = sub();
    while (this.isOp(op)) {
      const pos = this.next().pos;
      const right = sub();
      left = this.node({ kind, left, right, pos } as T, left, right);
    }
    return left;
  }

  private primary(): Expr {
    const t = this.peek();
    if (this.accept('!')) {
      const operand = this.nested(t, () => this.primary());
      return this.node({ kind: 'not', operand, pos: t.pos }, operand);
    }
    if (this.isOp('(') && this.parenthesisedBoolean()) {
      this.next();
      const inner = this.nested(t, () => this.boolExpr());
      this.expectOp(')', "',', '||', '&&' or ')'");
      return inner;
    }
    return this.comparison();
  }

  /**
   * `(` opens either a boolean group or a value group like `(a & 3) == 1`; the token
   * after the matching `)` decides, so neither reading needs backtracking.
   */
  private parenthesisedBoolean(): boolean {
    let depth = 0;
    for (let ahead = 0; ; ahead++) {
      const t = this.peek(ahead);
      if (t.kind === 'eof' || (t.kind === 'operator' && (t.op === '{' || t.op === '}'))) return true;
      if (t.kind !== 'operator') continue;
      if (t.op === '(') depth++;
      if (t.op === ')' && --depth === 0) {
        const after = this.peek(ahead + 1);
        return !(after.kind === 'operator' && (COMPARE_OPS.includes(after.op) || after.op === '|' || after.op === '&'));
      }
    }
  }

  private comparison(): Expr {
    const left = this.bitOr();
    const t = this.peek();
    if (t.kind !== 'operator' || !COMPARE_OPS.includes(t.op)) this.fail(t, "a comparison ('==', '!=', '<', '<=', '>', '>=')");
    this.next();
    const right = this.bitOr();
    const after = this.peek();
    if (after.kind === 'operator' && COMPARE_OPS.includes(after.op)) {
      throw new PolicyError(after.pos, `syntax error, unexpected '${after.text}': comparisons cannot be chained`, after.text,
        'combine comparisons with &&, e.g. a < b && b < c');
    }
    return this.node({ kind: 'compare', op: t.text as CompareOp, left, right, pos: t.pos }, left, right);
  }

  private bitOr = (): Operand => this.binaryChain(this.bitAnd, '|', '|');
  private bitAnd = (): Operand => this.binaryChain(() => this.operand(), '&', '&');

  private operand(): Operand {
    const t = this.peek();
    if (this.accept('(')) {
      const inner = this.nested(t, () => this.bitOr());
      this.expectOp(')', "'|', '&' or ')'");
      return inner;
    }
    if (t.kind === 'number') {
      this.next();
      return this.node({ kind: 'number', value: t.value, pos: t.pos });
    }
    if (t.kind !== 'identifier') this.fail(t, 'number, identifier or (');
    this.next();
    // Constants are looked up at parse time and shadow argument names (nsjail.md §8.4).
    const value = this.constants.get(t.text);
    if (value !== undefined) return this.node({ kind: 'number', value, constant: t.text, pos: t.pos });
    return this.node({ kind: 'name', name: t.text, pos: t.pos });
  }

  /** Records a node's tree depth and enforces Kafel's expression depth limit. */
  private node<T extends Expr | Operand>(n: T, ...children: (Expr | Operand)[]): T {
    const depth = 1 + Math.max(0, ...children.map((c) => this.depths.get(c) ?? 1));
    if (depth > MAX_EXPR_DEPTH) throw this.tooDeep(n.pos, this.tokens[this.index - 1].text);
    this.depths.set(n, depth);
    return n;
  }

  /** Guards the parser's own recursion (parentheses, `!`) with the same limit. */
  private nested<T>(opener: Token, parse: () => T): T {
    if (++this.nesting > MAX_EXPR_DEPTH) throw this.tooDeep(opener.pos, opener.text);
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  private tooDeep(pos: Pos, text: string): PolicyError {
    return new PolicyError(pos, `Max expression depth (${MAX_EXPR_DEPTH}) exceeded`, text);
  }
}

/** A did-you-mean for an identifier standing where a keyword belongs (`ALOW`, `allow`). */
function misspeltKeyword(token: Token): string | undefined {
  if (token.kind !== 'identifier') return undefined;
  const guess = nearest(token.text, STATEMENT_WORDS);
  return guess === undefined ? undefined : `did you mean \`${guess}'?`;
}
