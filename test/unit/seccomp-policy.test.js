// Unit tests for src/seccomp/policy.ts: USE inlining and its order, first expansion wins,
// named-policy and DEFAULT rules, constants, and the shape of resolved rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, resolvePolicy } from '../../dist/seccomp/policy.js';
import { parse } from '../../dist/seccomp/parser.js';
import { PolicyError } from '../../dist/seccomp/errors.js';

const T = { timeout: 10000 };

/** Rules as `ACTION syscall` strings, in order. */
function rules(text, options) {
  return compilePolicy(text, options).rules.map((r) => {
    const action = r.action.value === undefined ? r.action.kind : `${r.action.kind}(${r.action.value})`;
    const name = 'name' in r.syscall ? r.syscall.name : `#${r.syscall.number}`;
    return `${action} ${name}${r.policy ? `@${r.policy}` : ''}`;
  });
}

function policyError(text) {
  try {
    compilePolicy(text);
  } catch (err) {
    assert.ok(err instanceof PolicyError, `expected PolicyError, got ${err}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail`);
}

test('top-level rules keep textual order; DEFAULT is KILL when absent', T, () => {
  const policy = compilePolicy('ALLOW { read, write } ERRNO(1) { ptrace } LOG { open }');
  assert.deepEqual(rules('ALLOW { read, write } ERRNO(1) { ptrace } LOG { open }'), ['ALLOW read', 'ALLOW write', 'ERRNO(1) ptrace', 'LOG open']);
  assert.equal(policy.defaultAction.kind, 'KILL');
});

test('DEFAULT is position-independent', T, () => {
  const policy = compilePolicy('DEFAULT ERRNO(38)\nALLOW { read }');
  assert.deepEqual(policy.defaultAction, { kind: 'ERRNO', value: 38, pos: { line: 1, column: 9 } });
  assert.deepEqual(rules('ALLOW { read } DEFAULT ALLOW ERRNO(1) { write }'), ['ALLOW read', 'ERRNO(1) write']);
});

test('DEFAULT at most once', T, () => {
  const err = policyError('DEFAULT KILL\nALLOW { read }\nDEFAULT ALLOW');
  assert.equal(err.message, '3:1: Redefinition of default action');
  assert.match(err.hint, /line 1/);
});

test('USE inlines a policy at the point of use', T, () => {
  assert.deepEqual(rules('POLICY a { ALLOW { read } } USE a DEFAULT ERRNO(1)'), ['ALLOW read@a']);
  assert.deepEqual(
    rules('POLICY io { ALLOW { read, write } }\nERRNO(1) { ptrace }\nUSE io\nKILL { execve }'),
    ['ERRNO(1) ptrace', 'ALLOW read@io', 'ALLOW write@io', 'KILL execve'],
  );
});

test('named policies that are never used contribute nothing', T, () => {
  const policy = compilePolicy('POLICY unused { ALLOW { read } } KILL { x }');
  assert.deepEqual(policy.rules.map((r) => r.syscall), [{ name: 'x' }]);
  assert.deepEqual([...policy.policies.keys()], ['unused']);
  assert.deepEqual(policy.policies.get('unused').rules.map((r) => r.syscall), [{ name: 'read' }], 'kept for validation');
});

test('nested USE expands recursively in order', T, () => {
  const text = `
    POLICY a { ALLOW { a1 } }
    POLICY b { LOG { b1 }, USE a, LOG { b2 } }
    POLICY c { USE b, KILL { c1 } }
    ERRNO(1) { m1 } USE c ERRNO(2) { m2 }`;
  assert.deepEqual(rules(text), ['ERRNO(1) m1', 'LOG b1@b', 'ALLOW a1@a', 'LOG b2@b', 'KILL c1@c', 'ERRNO(2) m2']);
});

test('each policy is expanded at most once: the first USE wins', T, () => {
  const text = `
    POLICY a { ALLOW { read } }
    POLICY b { USE a, ERRNO(1) { read, write } }
    USE a
    USE b
    USE a
    KILL { read }`;
  assert.deepEqual(rules(text), ['ALLOW read@a', 'ERRNO(1) read@b', 'ERRNO(1) write@b', 'KILL read']);
  // Reversed: a is first reached through b, so its later top-level USE adds nothing.
  const reversed = 'POLICY a { ALLOW { read } } POLICY b { ERRNO(1) { open }, USE a } USE b USE a';
  assert.deepEqual(rules(reversed), ['ERRNO(1) open@b', 'ALLOW read@a']);
  // A policy USEd twice in one body is also expanded once.
  assert.deepEqual(rules('POLICY a { ALLOW { x } } POLICY b { USE a, USE a } USE b'), ['ALLOW x@a']);
});

test('USE of an undefined policy, or one defined later, is an error', T, () => {
  assert.equal(policyError('ALLOW { read }\nUSE nope').message, "2:5: Undefined policy `nope'");
  assert.equal(policyError('USE later\nPOLICY later { ALLOW { read } }').message, "1:5: Undefined policy `later'");
  assert.equal(policyError('POLICY a { USE b }\nPOLICY b { }').message, "1:16: Undefined policy `b'");
  const self = policyError('POLICY a {\n  ALLOW { read }, USE a\n}');
  assert.equal(self.message, "2:23: Undefined policy `a'", 'a policy is registered only after its body');
  assert.match(self.hint, /before it is used/);
});

test('policy redefinition is an error', T, () => {
  const err = policyError('POLICY a { ALLOW { read } }\n  POLICY a { }');
  assert.equal(err.message, "2:3: Redefinition of policy `a'");
  assert.match(err.hint, /1:1/);
});

test('an empty policy and an empty USE are fine', T, () => {
  const policy = compilePolicy('POLICY e {} USE e');
  assert.deepEqual(policy.rules, []);
  assert.equal(policy.defaultAction.kind, 'KILL');
});

test('constants are substituted in syscall numbers, actions and expressions', T, () => {
  const policy = compilePolicy(`
    #define SYS_CUSTOM -1
    #define EPERM 1
    #define O_WRONLY 1
    ERRNO(EPERM) { SYS_CUSTOM, SYSCALL[SYS_CUSTOM], open(path, flags) { flags & O_WRONLY == O_WRONLY } }`);
  const [byName, byNumber, open] = policy.rules;
  assert.deepEqual(byName.syscall, { number: 2n ** 64n - 1n });
  assert.deepEqual(byNumber.syscall, { number: 2n ** 64n - 1n });
  assert.equal(open.action.value, 1);
  assert.equal(open.expr.right.value, 1n);
  assert.equal(open.expr.right.constant, 'O_WRONLY');
  assert.equal(open.expr.left.right.value, 1n);
  assert.deepEqual([...policy.constants], [['SYS_CUSTOM', 2n ** 64n - 1n], ['EPERM', 1n], ['O_WRONLY', 1n]]);
});

test('a rule carries declared args, arch guard, expression and position; absent parts are omitted', T, () => {
  const [plain, full] = compilePolicy('ALLOW { read,\n  write(fd, buf) ON {amd64, arm} { fd == 1 } }').rules;
  assert.deepEqual(plain, { action: { kind: 'ALLOW', pos: { line: 1, column: 1 } }, syscall: { name: 'read' }, pos: { line: 1, column: 9 } });
  assert.deepEqual(full.args, ['fd', 'buf']);
  assert.deepEqual(full.arch, ['x86_64', 'arm']);
  assert.deepEqual(full.pos, { line: 2, column: 3 });
  assert.equal(full.expr.kind, 'compare');
  assert.deepEqual(full.expr.left, { kind: 'name', name: 'fd', pos: { line: 2, column: 36 } });
  assert.deepEqual(compilePolicy('ALLOW { close() }').rules[0].args, [], 'declared-empty differs from undeclared');
});

test('policies and rules may come from included files', T, () => {
  const files = {
    'stdio.policy': '#define STDOUT 1\nPOLICY stdio { ALLOW { write(fd) { fd == STDOUT } } }\n',
    'main.policy': '#include "stdio.policy"\nUSE stdio DEFAULT KILL',
  };
  const readInclude = (name) => ({ file: name, text: files[name] });
  const policy = compilePolicy('#include "main.policy";', { readInclude });
  assert.equal(policy.rules.length, 1);
  assert.equal(policy.rules[0].policy, 'stdio');
  assert.equal(policy.rules[0].pos.file, 'stdio.policy');
  assert.throws(() => compilePolicy('#include "x";\nUSE stdio', { readInclude: () => 'POLICY s {}' }), /2:5: Undefined policy `stdio'/);
});

test('resolvePolicy accepts a parsed program', T, () => {
  const resolved = resolvePolicy(parse('POLICY p { KILL { a } } USE p'));
  assert.equal(resolved.rules[0].action.kind, 'KILL');
});

test('long USE chains do not exhaust the stack', T, () => {
  let text = 'POLICY p0 { ALLOW { s0 } }\n';
  for (let i = 1; i < 20000; i++) text += `POLICY p${i} { USE p${i - 1} }\n`;
  text += 'USE p19999';
  assert.deepEqual(rules(text), ['ALLOW s0@p0']);
});
