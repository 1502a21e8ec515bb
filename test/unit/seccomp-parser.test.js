// Unit tests for src/seccomp/parser.ts: the Kafel grammar (nsjail.md §8.3) on valid
// policies, printed back fully parenthesised, and exact line:col errors on invalid ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, ARCH_ALIASES } from '../../dist/seccomp/parser.js';
import { PolicyError } from '../../dist/seccomp/errors.js';

const T = { timeout: 10000 };

// ---- a printer that makes structure (and precedence) visible ----
function action(a) {
  return a.value === undefined ? a.kind : `${a.kind}(${a.value})`;
}
function operand(o) {
  if (o.kind === 'number') return o.constant ? `${o.constant}=${o.value}` : `${o.value}`;
  if (o.kind === 'name') return o.name;
  return `(${operand(o.left)} ${o.kind} ${operand(o.right)})`;
}
function expr(e) {
  if (e.kind === 'not') return `!${expr(e.operand)}`;
  if (e.kind === 'compare') return `[${operand(e.left)} ${e.op} ${operand(e.right)}]`;
  return `(${expr(e.left)} ${e.kind} ${expr(e.right)})`;
}
function filter(f) {
  let s = f.syscall.kind === 'name' ? f.syscall.name : `#${f.syscall.value}`;
  if (f.args) s += `(${f.args.map((a) => a.name).join(',')})`;
  if (f.arch) s += ` ON ${f.arch.join('|')}`;
  if (f.expr) s += ` {${expr(f.expr)}}`;
  return s;
}
function statement(s) {
  switch (s.kind) {
    case 'define': return `define ${s.name}=${s.value}`;
    case 'default': return `DEFAULT ${action(s.action)}`;
    case 'use': return `USE ${s.name}`;
    case 'policy': return `POLICY ${s.name} [${s.body.map(statement).join('; ')}]`;
    default: return `${action(s.action)} {${s.filters.map(filter).join(', ')}}`;
  }
}
const show = (text, options) => parse(text, options).statements.map(statement);

const valid = [
  { text: 'ALLOW { read, write, close } DEFAULT KILL', want: ['ALLOW {read, write, close}', 'DEFAULT KILL'] },
  { text: 'POLICY a { ALLOW { read } } USE a DEFAULT ERRNO(1)', want: ['POLICY a [ALLOW {read}]', 'USE a', 'DEFAULT ERRNO(1)'] },
  {
    text: 'ERRNO(1) { ptrace, open(path, flags) { flags & 0x3 == 1 } }',
    want: ['ERRNO(1) {ptrace, open(path,flags) {[(flags & 3) == 1]}}'],
  },
  { text: '', want: [], why: 'an empty policy' },
  { text: '// nothing\n/* at all */', want: [] },
  { text: 'ALLOW {}', want: ['ALLOW {}'] },
  { text: 'POLICY empty {}', want: ['POLICY empty []'] },
  {
    text: 'ALLOW { a } LOG { b } KILL { c } KILL_THREAD { d } KILL_PROCESS { e } DENY { f } USER_NOTIF { g }',
    want: ['ALLOW {a}', 'LOG {b}', 'KILL {c}', 'KILL_THREAD {d}', 'KILL_PROCESS {e}', 'DENY {f}', 'USER_NOTIF {g}'],
    why: 'every simple action; top-level statements need no separator',
  },
  {
    text: 'ERRNO(0) { a } TRAP(65535) { b } TRACE(0x10) { c }',
    want: ['ERRNO(0) {a}', 'TRAP(65535) {b}', 'TRACE(16) {c}'],
  },
  {
    text: 'POLICY p { ALLOW { a }, USE q } ',
    want: ['POLICY p [ALLOW {a}; USE q]'],
    why: 'the parser does not resolve USE',
  },
  { text: 'ALLOW { SYSCALL[1], SYSCALL[0x40000000], SYSCALL[-1] }', want: ['ALLOW {#1, #1073741824, #18446744073709551615}'] },
  {
    text: 'ALLOW { read ON x86_64, write ON {arm, AArch64, i386}, close ON rv64 }',
    want: ['ALLOW {read ON x86_64, write ON arm|aarch64|x86, close ON riscv64}'],
  },
  { text: 'ALLOW { read() {}, write(fd) { fd == 1 } }', want: ['ALLOW {read(), write(fd) {[fd == 1]}}'] },
  {
    text: 'ALLOW { SYSCALL[7](a, b, c) ON amd64 { a == 1 } }',
    want: ['ALLOW {#7(a,b,c) ON x86_64 {[a == 1]}}'],
    why: 'every part of a syscall filter together',
  },
  {
    text: 'ALLOW { x { a == 1, b == 2 || c == 3 && d == 4 } }',
    want: ['ALLOW {x {([a == 1] or ([b == 2] or ([c == 3] and [d == 4])))}}'],
    why: 'comma is OR and binds loosest; && binds tighter than ||',
  },
  {
    text: 'ALLOW { x { !a == 1 && !(b == 2 || c != 3) } }',
    want: ['ALLOW {x {(![a == 1] and !([b == 2] or [c != 3]))}}'],
  },
  {
    text: 'ALLOW { x { a < 1, a <= 2, a > 3, a >= 4, a != 5 } }',
    want: ['ALLOW {x {(((([a < 1] or [a <= 2]) or [a > 3]) or [a >= 4]) or [a != 5])}}'],
  },
  {
    text: 'ALLOW { x { a | b & c == a & b | c } }',
    want: ['ALLOW {x {[(a | (b & c)) == ((a & b) | c)]}}'],
    why: '& binds tighter than |',
  },
  {
    text: 'ALLOW { x { (a | 2) & (b | 3) == 2, ((a & 1)) == 1, ((a == 1)) } }',
    want: ['ALLOW {x {(([((a | 2) & (b | 3)) == 2] or [(a & 1) == 1]) or [a == 1])}}'],
    why: 'parentheses group values or booleans, decided by what follows',
  },
  { text: 'ALLOW { x { a == b } }', want: ['ALLOW {x {[a == b]}}'], why: 'argument against argument' },
  {
    text: '#define STDOUT 1\n#define X 0x10 #define X 16\nALLOW { write(fd) { fd == STDOUT }, X, SYSCALL[X] } ERRNO(X) { y }',
    want: ['define STDOUT=1', 'define X=16', 'define X=16', 'ALLOW {write(fd) {[fd == STDOUT=1]}, #16, #16}', 'ERRNO(16) {y}'],
    why: 'constants are substituted after their definition; same-value redefinition is fine',
  },
  {
    text: 'ALLOW { w { fd == LATER } } #define LATER 1 ALLOW { w { fd == LATER } }',
    want: ['ALLOW {w {[fd == LATER]}}', 'define LATER=1', 'ALLOW {w {[fd == LATER=1]}}'],
    why: 'a constant is only known after its #define',
  },
  {
    text: '#define fd 3\nALLOW { write(fd) { fd == 1 } }',
    want: ['define fd=3', 'ALLOW {write(fd) {[fd=3 == 1]}}'],
    why: 'a constant shadows an argument of the same name',
  },
  { text: 'DEFAULT ALLOW', want: ['DEFAULT ALLOW'] },
  { text: 'ALLOW{read}ERRNO(1){ptrace}DEFAULT KILL', want: ['ALLOW {read}', 'ERRNO(1) {ptrace}', 'DEFAULT KILL'] },
];

for (const { text, want, why } of valid) {
  test(`parses ${JSON.stringify(text.slice(0, 60))}${why ? ` (${why})` : ''}`, T, () => {
    assert.deepEqual(show(text), want);
  });
}

test('top-level statements may be comma-separated', T, () => {
  assert.deepEqual(show('ALLOW { a }, ERRNO(1) { b }, LOG { c } KILL { d }'), ['ALLOW {a}', 'ERRNO(1) {b}', 'LOG {c}', 'KILL {d}']);
});

test('AST nodes carry source positions', T, () => {
  const [block] = parse('\n  ERRNO(1) {\n    open(p, f) ON x86 { f & 3 == 1 } }').statements;
  assert.deepEqual(block.pos, { line: 2, column: 3 });
  assert.deepEqual(block.action.pos, { line: 2, column: 3 });
  const [f] = block.filters;
  assert.deepEqual(f.pos, { line: 3, column: 5 });
  assert.deepEqual(f.args.map((a) => [a.name, a.pos.column]), [['p', 10], ['f', 13]]);
  assert.deepEqual(f.expr.pos, { line: 3, column: 31 }, 'a comparison is positioned at its operator');
  assert.deepEqual(f.expr.left.pos, { line: 3, column: 27 });
  assert.deepEqual(f.expr.left.left, { kind: 'name', name: 'f', pos: { line: 3, column: 25 } });
  assert.deepEqual(f.expr.right, { kind: 'number', value: 1n, pos: { line: 3, column: 34 } });
});

test('every ON alias is accepted case-insensitively', T, () => {
  for (const [alias, canonical] of ARCH_ALIASES) {
    assert.deepEqual(parse(`ALLOW { x ON ${alias.toUpperCase()} }`).statements[0].filters[0].arch, [canonical]);
  }
});

test('the program exposes the constants it defined', T, () => {
  assert.deepEqual([...parse('#define A 1 #define B -1').constants], [['A', 1n], ['B', 2n ** 64n - 1n]]);
});

test('included files are parsed in place, even inside a block', T, () => {
  const files = { 'io.policy': 'write(fd) { fd == OUT }\n', 'p.policy': '#define OUT 1\nPOLICY p { ALLOW { close } }' };
  const readInclude = (name) => ({ file: name, text: files[name] });
  assert.deepEqual(show('#include "p.policy"\nALLOW { read,\n#include "io.policy"\n} USE p', { readInclude }), [
    'define OUT=1', 'POLICY p [ALLOW {close}]', 'ALLOW {read, write(fd) {[fd == OUT=1]}}', 'USE p',
  ]);
});

// ---- invalid policies: exact position and message ----
const includeFiles = {
  'loop.policy': 'ALLOW { a }\n#include "loop2.policy"\n',
  'loop2.policy': '#include "loop.policy"\n',
  'broken.policy': 'ALLOW {\n  read write }',
  'open.policy': '#include "x.policy"',
};
for (let i = 1; i <= 17; i++) includeFiles[`d${i}.policy`] = `#include "d${i + 1}.policy";`;
const readInclude = (name) => {
  if (!(name in includeFiles)) throw new Error('no such file');
  return { file: name, text: includeFiles[name] };
};

const invalid = [
  { text: 'ALLOW { read }\n/* never closed', message: '2:1: lexical error, unterminated comment' },
  { text: 'ALLOW { read $ }', message: "1:14: lexical error, unexpected char `$'" },
  { text: 'ALLOW {\n  read, write\n', message: "3:1: syntax error, unexpected end of file, expecting ',' or '}'" },
  { text: 'ALLOW read }', message: "1:7: syntax error, unexpected identifier 'read', expecting '{'" },
  { text: 'ALLOW {\n  read,\n    }', message: "3:5: syntax error, unexpected '}', expecting syscall name or SYSCALL[number]" },
  {
    text: 'POLICY p {\n  ALLOW { read }\n  DEFAULT KILL\n}',
    message: "3:3: syntax error, unexpected 'DEFAULT': DEFAULT is not allowed inside POLICY",
    hint: /top level/,
  },
  { text: 'POLICY p { DEFAULT KILL }', message: "1:12: syntax error, unexpected 'DEFAULT': DEFAULT is not allowed inside POLICY" },
  {
    text: 'POLICY p { ALLOW { a } ERRNO(1) { b } }',
    message: "1:24: syntax error, unexpected 'ERRNO', expecting ',' or '}'",
    hint: /commas/,
  },
  {
    text: 'ALLOW { read { a < b < c } }',
    message: "1:22: syntax error, unexpected '<': comparisons cannot be chained",
    hint: /&&/,
  },
  { text: 'ALLOW { read { a == 1 == 1 } }', message: "1:23: syntax error, unexpected '==': comparisons cannot be chained" },
  { text: 'ERRNO(70000) { read }', message: '1:7: Errno value 70000 out of range (0-65535)' },
  { text: 'TRAP(65536) { read }', message: '1:6: Trap value 65536 out of range (0-65535)' },
  { text: 'TRACE(-1) { read }', message: '1:7: Trace value 18446744073709551615 out of range (0-65535)' },
  { text: 'ERRNO { read }', message: "1:7: syntax error, unexpected '{', expecting '('", hint: /ERRNO\(1\)/ },
  { text: 'ERRNO(EPERM) { read }', message: "1:7: syntax error, unexpected identifier 'EPERM', expecting number", hint: /#define/ },
  { text: 'ALLOW { read ON sparc }', message: "1:17: Unknown architecture `sparc'", hint: /x86_64/ },
  { text: 'ALLOW { read ON x86_46 }', message: "1:17: Unknown architecture `x86_46'", hint: /did you mean `x86_64'/ },
  { text: 'ALLOW { read ON {arm, x86_64, amd64} }', message: "1:31: Duplicate architecture `amd64'", hint: /x86_64/ },
  { text: 'ALLOW { read ON {} }', message: "1:18: syntax error, unexpected '}', expecting architecture name" },
  {
    text: 'ALLOW { SYSCALL[1](a, b, c, d, e, f, g) }',
    message: '1:38: Too many arguments defined for syscall',
    hint: /at most 6/,
  },
  { text: 'ALLOW { read(fd, buf, fd) }', message: "1:23: Redefinition of argument `fd'" },
  { text: 'ALLOW { read(fd buf) }', message: "1:17: syntax error, unexpected identifier 'buf', expecting ',' or ')'" },
  { text: '#define X 1\n#define X 2', message: "2:9: Redefinition of constant `X'", hint: /already defined as 1/ },
  { text: '#define X Y', message: "1:11: syntax error, unexpected identifier 'Y', expecting number" },
  { text: '#undef X', message: "1:2: syntax error, unexpected identifier 'undef', expecting 'define'" },
  { text: 'ALLOW { read { fd == 09 } }', message: "1:22: lexical error, invalid number `09'" },
  { text: 'ALLOW { read { fd == 0x1ffffffffffffffff } }', message: "1:22: lexical error, number `0x1ffffffffffffffff' out of range" },
  { text: 'ALLOW { read }\nALOW { write }', message: "2:1: syntax error, unexpected identifier 'ALOW', expecting an action, USE, POLICY, DEFAULT or #define", hint: /did you mean `ALLOW'\?/ },
  { text: 'DEFAULT kill', message: "1:9: syntax error, unexpected identifier 'kill', expecting an action (ALLOW, LOG, KILL, KILL_THREAD, KILL_PROCESS, DENY, USER_NOTIF, ERRNO, TRAP, TRACE)", hint: /did you mean `KILL'\?/ },
  { text: 'POLICY ALLOW { }', message: "1:8: syntax error, unexpected 'ALLOW', expecting policy name" },
  { text: 'USE DEFAULT', message: "1:5: syntax error, unexpected 'DEFAULT', expecting policy name" },
  { text: 'ALLOW { SYSCALL }', message: "1:17: syntax error, unexpected '}', expecting '['" },
  { text: 'ALLOW { POLICY }', message: "1:9: syntax error, unexpected 'POLICY', expecting syscall name or SYSCALL[number]" },
  { text: 'ALLOW { read { fd } }', message: "1:19: syntax error, unexpected '}', expecting a comparison ('==', '!=', '<', '<=', '>', '>=')" },
  { text: 'ALLOW { read { (fd == 1) == 1 } }', message: "1:20: syntax error, unexpected '==', expecting '|', '&' or ')'" },
  { text: 'ALLOW { read { fd == 1 } ', message: "1:26: syntax error, unexpected end of file, expecting ',' or '}'" },
  { text: 'ALLOW { read { fd == 1 } } }', message: "1:28: syntax error, unexpected '}', expecting an action, USE, POLICY, DEFAULT or #define" },
  { text: `ALLOW { read { ${'('.repeat(201)}fd == 1${')'.repeat(201)} } }`, message: '1:216: Max expression depth (200) exceeded' },
  { text: `ALLOW { read { fd${' & fd'.repeat(200)} == 1 } }`, message: '1:1014: Max expression depth (200) exceeded' },
  { text: `ALLOW { read { ${'!'.repeat(201)}fd == 1 } }`, message: '1:216: Max expression depth (200) exceeded' },
  { text: `ALLOW { read { ${'('.repeat(200)}fd == 1${')'.repeat(200)}, fd${' & fd'.repeat(197)} == 1 } }`, message: null, why: 'just within the limits' },
  { text: '#include "loop.policy"\n', message: 'loop2.policy:1:10: include cycle: loop.policy -> loop2.policy -> loop.policy' },
  { text: '#include "d1.policy"\n', message: 'd16.policy:1:10: maximum include depth (16) exceeded' },
  { text: '\n#include "missing.policy"\n', message: "2:10: could not include file `missing.policy'", hint: /no such file/ },
  { text: '#include "broken.policy"\n', message: "broken.policy:2:8: syntax error, unexpected identifier 'write', expecting ',' or '}'" },
  { text: 'ALLOW { a }\n#include "a.policy"', message: '2:1: lexical error, unterminated include statement' },
  { text: '#include "open.policy"\n', message: 'open.policy:1:1: lexical error, unterminated include statement' },
];

for (const { text, message, hint } of invalid) {
  if (message === null) {
    test(`accepts ${JSON.stringify(text.slice(0, 50))} (at the limit)`, T, () => {
      assert.equal(parse(text).statements.length, 1);
    });
    continue;
  }
  test(`rejects ${JSON.stringify(text.slice(0, 50))} with ${message.slice(0, 60)}`, T, () => {
    let caught;
    try {
      parse(text, { readInclude });
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof PolicyError, `expected a PolicyError, got ${caught}`);
    assert.equal(caught.message, message);
    if (hint) assert.match(caught.hint ?? '', hint);
  });
}

test('PolicyError exposes position, offending text and reason', T, () => {
  try {
    parse('ALLOW {\n  read,\n  }');
    assert.fail('should throw');
  } catch (err) {
    assert.equal(err.name, 'PolicyError');
    assert.deepEqual([err.line, err.column, err.text, err.file], [3, 3, '}', undefined]);
    assert.equal(err.reason, "syntax error, unexpected '}', expecting syscall name or SYSCALL[number]");
  }
});
