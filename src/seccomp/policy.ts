/**
 * Kafel policy tree (nsjail.md §8.4): turns the parser's AST into the ordered rule list
 * the code generator consumes — named policies registered, USE inlined (each policy at
 * most once, first use wins), DEFAULT settled. #define constants were already
 * substituted by the parser, because Kafel looks them up at parse time.
 * Syscall and argument names are left unresolved for the table-aware stage.
 */
import { PolicyError, type Pos } from './errors.js';
import type { Action, Expr, PolicyStatement, Program, SyscallFilter } from './ast.js';
import { parse, type ParseOptions } from './parser.js';

export type { Action, CompareOp, Expr, Operand } from './ast.js';

/** A syscall by table name, or by number (SYSCALL[n] or a #define'd name). */
export type RuleSyscall = { readonly name: string } | { readonly number: bigint };

/** One `syscall [ON arch] [{ expr }]` of an action block, in final textual order. */
export interface Rule {
  readonly action: Action;
  readonly syscall: RuleSyscall;
  /** Declared argument names, replacing the table's; undefined when not declared. */
  readonly args?: readonly string[];
  /** Canonical architectures from an ON guard; undefined means every architecture. */
  readonly arch?: readonly string[];
  readonly expr?: Expr;
  readonly pos: Pos;
  /** The named policy the rule was written in; undefined at the top level. */
  readonly policy?: string;
}

/** A POLICY block's own rules (USE not expanded), kept so unused policies can be validated too. */
export interface NamedPolicy {
  readonly name: string;
  readonly pos: Pos;
  readonly rules: readonly Rule[];
}

export interface ResolvedPolicy {
  /** The top-level policy with every USE inlined; the first matching rule wins. */
  readonly rules: readonly Rule[];
  readonly defaultAction: Action;
  readonly policies: ReadonlyMap<string, NamedPolicy>;
  readonly constants: ReadonlyMap<string, bigint>;
}

/** A policy's statements with USE targets already checked; what expansion walks. */
interface Registered {
  readonly name: string;
  readonly pos: Pos;
  readonly body: readonly PolicyStatement[];
}

/** The action when no DEFAULT is given: KILL (SECCOMP_RET_KILL_THREAD), as in Kafel. */
const IMPLICIT_DEFAULT: Action = { kind: 'KILL', pos: { line: 0, column: 0 } };

/** Parse and resolve in one step. */
export function compilePolicy(text: string, options: ParseOptions = {}): ResolvedPolicy {
  return resolvePolicy(parse(text, options));
}

/** Resolve a parsed program. Throws PolicyError on USE, POLICY and DEFAULT misuse. */
export function resolvePolicy(program: Program): ResolvedPolicy {
  const registry = new Map<string, Registered>();
  const main: PolicyStatement[] = [];
  let defaultAction: Action | undefined;
  for (const statement of program.statements) {
    switch (statement.kind) {
      case 'define':
        break;
      case 'default':
        if (defaultAction !== undefined) {
          throw new PolicyError(statement.pos, 'Redefinition of default action', 'DEFAULT',
            `DEFAULT was already given at line ${defaultAction.pos.line}`);
        }
        defaultAction = statement.action;
        break;
      case 'policy':
        registerPolicy(registry, statement.name, statement.pos, statement.body);
        break;
      default:
        // USE is checked where it appears: a policy defined later does not count.
        checkUses([statement], registry);
        main.push(statement);
    }
  }
  return {
    rules: expand(main, registry),
    defaultAction: defaultAction ?? IMPLICIT_DEFAULT,
    policies: namedPolicies(registry),
    constants: program.constants,
  };
}

function registerPolicy(registry: Map<string, Registered>, name: string, pos: Pos, body: readonly PolicyStatement[]): void {
  if (registry.has(name)) {
    const first = registry.get(name)?.pos;
    throw new PolicyError(pos, `Redefinition of policy \`${name}'`, name,
      first === undefined ? undefined : `\`${name}' was first defined at ${first.line}:${first.column}`);
  }
  // A policy is registered after its body, so it cannot USE itself or a later policy.
  checkUses(body, registry);
  registry.set(name, { name, pos, body });
}

function checkUses(statements: readonly PolicyStatement[], registry: ReadonlyMap<string, Registered>): void {
  for (const statement of statements) {
    if (statement.kind === 'use' && !registry.has(statement.name)) {
      throw new PolicyError(statement.pos, `Undefined policy \`${statement.name}'`, statement.name,
        'a policy must be defined (with POLICY) before it is used');
    }
  }
}

/**
 * Inline USE in textual order. Each named policy is expanded at most once; a later USE
 * of it adds nothing, so its first use decides its precedence (Kafel's "used" flag).
 * An explicit stack keeps long USE chains off the JavaScript call stack.
 */
function expand(main: readonly PolicyStatement[], registry: ReadonlyMap<string, Registered>): Rule[] {
  const rules: Rule[] = [];
  const expanded = new Set<string>();
  const stack: { statements: readonly PolicyStatement[]; next: number; policy?: string }[] = [
    { statements: main, next: 0 },
  ];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const statement = frame.statements[frame.next++];
    if (statement === undefined) {
      stack.pop();
    } else if (statement.kind === 'action') {
      rules.push(...blockRules(statement.action, statement.filters, frame.policy));
    } else if (!expanded.has(statement.name)) {
      expanded.add(statement.name);
      const used = registry.get(statement.name);
      if (used !== undefined) stack.push({ statements: used.body, next: 0, policy: used.name });
    }
  }
  return rules;
}

function blockRules(action: Action, filters: readonly SyscallFilter[], policy: string | undefined): Rule[] {
  return filters.map((filter) => toRule(action, filter, policy));
}

function toRule(action: Action, filter: SyscallFilter, policy: string | undefined): Rule {
  const syscall: RuleSyscall =
    filter.syscall.kind === 'name' ? { name: filter.syscall.name } : { number: filter.syscall.value };
  // Absent parts are left out rather than set to undefined, so rules compare and print cleanly.
  return {
    action,
    syscall,
    ...(filter.args && { args: filter.args.map((a) => a.name) }),
    ...(filter.arch && { arch: filter.arch }),
    ...(filter.expr && { expr: filter.expr }),
    pos: filter.pos,
    ...(policy !== undefined && { policy }),
  };
}

function namedPolicies(registry: ReadonlyMap<string, Registered>): Map<string, NamedPolicy> {
  const out = new Map<string, NamedPolicy>();
  for (const { name, pos, body } of registry.values()) {
    const rules = body.flatMap((s) => (s.kind === 'action' ? blockRules(s.action, s.filters, name) : []));
    out.set(name, { name, pos, rules });
  }
  return out;
}
