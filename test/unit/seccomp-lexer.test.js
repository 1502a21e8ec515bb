// Unit tests for src/seccomp/lexer.ts: Kafel tokens, number bases and limits, comments,
// #include tokens and their expansion, positions and lexical errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, tokenizeWithIncludes, KEYWORDS, OPERATORS, MAX_INCLUDE_DEPTH } from '../../dist/seccomp/lexer.js';
import { PolicyError } from '../../dist/seccomp/errors.js';

const T = { timeout: 10000 };
const U64_MAX = 2n ** 64n - 1n;

/** Tokens without the trailing eof, as [kind, text] pairs. */
function kinds(text) {
  return tokenize(text).slice(0, -1).map((t) => [t.kind, t.text]);
}

function lexError(text, options) {
  try {
    options === undefined ? tokenize(text) : tokenizeWithIncludes(text, options);
  } catch (err) {
    assert.ok(err instanceof PolicyError, `expected PolicyError, got ${err}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail`);
}

test('every keyword is its own token kind, case-sensitively', T, () => {
  for (const word of KEYWORDS) {
    const [token] = tokenize(word);
    assert.equal(token.kind, 'keyword', word);
    assert.equal(token.keyword, word);
  }
  assert.deepEqual(kinds('allow Allow define DEFINE'), [
    ['identifier', 'allow'], ['identifier', 'Allow'], ['keyword', 'define'], ['identifier', 'DEFINE'],
  ]);
});

test('KILL_THREAD and KILL_PROCESS are read whole, not as KILL then a name', T, () => {
  assert.deepEqual(kinds('KILL KILL_THREAD KILL_PROCESS KILLER'), [
    ['keyword', 'KILL'], ['keyword', 'KILL_THREAD'], ['keyword', 'KILL_PROCESS'], ['identifier', 'KILLER'],
  ]);
});

test('identifiers: a letter, then letters, digits and underscores', T, () => {
  assert.deepEqual(kinds('a x86_64 rt_sigreturn A1_b'), [
    ['identifier', 'a'], ['identifier', 'x86_64'], ['identifier', 'rt_sigreturn'], ['identifier', 'A1_b'],
  ]);
  const err = lexError('_exit');
  assert.equal(err.message, "1:1: lexical error, unexpected char `_'");
  assert.match(err.hint, /start with a letter/);
});

test('every operator, longest match first', T, () => {
  const text = OPERATORS.join(' ');
  const tokens = tokenize(text).slice(0, -1);
  assert.deepEqual(tokens.map((t) => t.op), [...OPERATORS]);
  assert.ok(tokens.every((t) => t.kind === 'operator'));
  assert.deepEqual(kinds('a<=b').map(([, t]) => t), ['a', '<=', 'b']);
  assert.deepEqual(kinds('!!a||b&&c|d&e').map(([, t]) => t), ['!', '!', 'a', '||', 'b', '&&', 'c', '|', 'd', '&', 'e']);
});

const numbers = [
  { text: '0', value: 0n },
  { text: '1', value: 1n },
  { text: '1234567890', value: 1234567890n },
  { text: '18446744073709551615', value: U64_MAX, why: 'largest decimal' },
  { text: '0x0', value: 0n },
  { text: '0xdeadBEEF', value: 0xdeadbeefn, why: 'hex digits in either case' },
  { text: '0xffffffffffffffff', value: U64_MAX, why: 'largest hex' },
  { text: '0x0000000000000000000001', value: 1n, why: 'leading zeros do not overflow' },
  { text: '0777', value: 0o777n, why: 'octal' },
  { text: '00', value: 0n, why: 'octal zero' },
  { text: '01777777777777777777777', value: U64_MAX, why: 'largest octal' },
  { text: '0b0', value: 0n },
  { text: '0b1011', value: 11n, why: 'binary' },
  { text: '-1', value: U64_MAX, why: "two's complement" },
  { text: '-2', value: U64_MAX - 1n },
  { text: '-9223372036854775808', value: 2n ** 63n, why: 'smallest signed 64-bit' },
];

for (const { text, value, why } of numbers) {
  test(`number ${text} = ${value}${why ? ` (${why})` : ''}`, T, () => {
    const [token] = tokenize(text);
    assert.equal(token.kind, 'number');
    assert.equal(token.value, value);
    assert.equal(token.text, text);
  });
}

const badNumbers = [
  { text: '18446744073709551616', message: "1:1: lexical error, number `18446744073709551616' out of range" },
  { text: '0x10000000000000000', message: "1:1: lexical error, number `0x10000000000000000' out of range" },
  { text: '02000000000000000000000', message: "1:1: lexical error, number `02000000000000000000000' out of range" },
  { text: '0b' + '1'.repeat(65), message: `1:1: lexical error, number \`0b${'1'.repeat(65)}' out of range` },
  { text: '-9223372036854775809', message: "1:1: lexical error, number `-9223372036854775809' out of range" },
  { text: '09', message: "1:1: lexical error, invalid number `09'", hint: /octal/ },
  { text: '0x', message: "1:1: lexical error, invalid number `0x'" },
  { text: '0X1F', message: "1:1: lexical error, invalid number `0X1F'", hint: /lower case/ },
  { text: '0b102', message: "1:1: lexical error, invalid number `0b102'" },
  { text: '12abc', message: "1:1: lexical error, invalid number `12abc'" },
  { text: '-0', message: "1:1: lexical error, invalid number `-0'" },
  { text: '-0x1', message: "1:1: lexical error, invalid number `-0x1'", hint: /decimal/ },
];

for (const { text, message, hint } of badNumbers) {
  test(`bad number ${text.slice(0, 24)} is rejected`, T, () => {
    const err = lexError(`  ${text}`);
    assert.equal(err.message, message.replace('1:1:', '1:3:'));
    assert.equal(err.text, text);
    if (hint) assert.match(err.hint, hint);
  });
}

test('a lone minus is an unexpected char', T, () => {
  assert.equal(lexError('a == - 1').message, "1:6: lexical error, unexpected char `-'");
});

test('comments are skipped, including across lines', T, () => {
  assert.deepEqual(kinds('a // b c\nd /* e\n f */ g /**/ h /* * / ** */ i'), [
    ['identifier', 'a'], ['identifier', 'd'], ['identifier', 'g'], ['identifier', 'h'], ['identifier', 'i'],
  ]);
  assert.deepEqual(kinds('// only a comment'), []);
});

test('unterminated block comment is reported where it starts', T, () => {
  const err = lexError('ALLOW {\n  read /* no end\n }');
  assert.equal(err.message, '2:8: lexical error, unterminated comment');
  assert.equal(err.line, 2);
  assert.equal(err.column, 8);
});

test('positions are 1-based line and column of the first character', T, () => {
  const tokens = tokenize('ALLOW {\n\tread, 0x10\n}');
  assert.deepEqual(tokens.map((t) => [t.text, t.pos.line, t.pos.column]), [
    ['ALLOW', 1, 1], ['{', 1, 7], ['read', 2, 2], [',', 2, 6], ['0x10', 2, 8], ['}', 3, 1], ['', 3, 2],
  ]);
  assert.equal(tokens.at(-1).kind, 'eof');
  assert.equal(tokenize('a', 'x.policy')[0].pos.file, 'x.policy');
});

test('unexpected characters name line and column', T, () => {
  for (const [text, message] of [
    ['ALLOW { read }\n  @', "2:3: lexical error, unexpected char `@'"],
    ['a = b', "1:3: lexical error, unexpected char `='"],
    ['a ^ b', "1:3: lexical error, unexpected char `^'"],
    ['a ~b', "1:3: lexical error, unexpected char `~'"],
    ['"x"', '1:1: lexical error, unexpected char `"\''],
  ]) {
    assert.equal(lexError(text).message, message);
  }
});

test('#include token carries its file names, ended by newline or ;', T, () => {
  const [inc, next] = tokenize('#include "a.policy" \t"b c.policy";ALLOW');
  assert.equal(inc.kind, 'include');
  assert.deepEqual(inc.files.map((f) => [f.name, f.pos.column]), [['a.policy', 10], ['b c.policy', 22]]);
  assert.equal(inc.text, '#include "a.policy" \t"b c.policy"');
  assert.equal(next.text, 'ALLOW');
  const [, after] = tokenize('  #include "x"\nread');
  assert.deepEqual([after.text, after.pos.line, after.pos.column], ['read', 2, 1]);
  assert.deepEqual(kinds('# define X 1'), [['operator', '#'], ['keyword', 'define'], ['identifier', 'X'], ['number', '1']]);
  assert.deepEqual(kinds('#includes').map(([, t]) => t), ['#', 'includes']);
});

test('malformed #include statements', T, () => {
  for (const [text, message] of [
    ['#include "a"', '1:1: lexical error, unterminated include statement'],
    ['#include"a";', '1:9: lexical error, missing space before include file name'],
    ['#include "a""b";', '1:13: lexical error, missing space before include file name'],
    ['#include "a\n', '1:10: lexical error, unterminated include file name'],
    ['#include a;', "1:10: lexical error, unexpected char `a' in include statement"],
    ['#include ;', '1:10: lexical error, expected a quoted file name after #include'],
    ['#include "";', '1:10: lexical error, empty include file name'],
  ]) {
    assert.equal(lexError(text).message, message, text);
  }
});

/** An in-memory include reader; names are used as given. */
function reader(files) {
  return (name) => {
    if (!(name in files)) throw new Error(`ENOENT: ${name}`);
    return { file: name, text: files[name] };
  };
}

test('includes are spliced in place, in order, carrying their file name', T, () => {
  const files = { 'a.policy': 'read,\n#include "c.policy"\n', 'b.policy': 'write', 'c.policy': 'close,' };
  const tokens = tokenizeWithIncludes('ALLOW {\n#include "a.policy" "b.policy"\n}', { readInclude: reader(files) });
  assert.deepEqual(tokens.map((t) => t.text), ['ALLOW', '{', 'read', ',', 'close', ',', 'write', '}', '']);
  assert.deepEqual(tokens.map((t) => t.pos.file), [undefined, undefined, 'a.policy', 'a.policy', 'c.policy', 'c.policy', 'b.policy', undefined, undefined]);
  assert.deepEqual([tokens[4].pos.line, tokens[4].pos.column], [1, 1]);
});

test('string readers resolve names relative to the including file', T, () => {
  const seen = [];
  const files = { 'dir/a.policy': '#include "sub/b.policy"\n', 'dir/sub/b.policy': 'x' };
  const readInclude = (name, from) => {
    seen.push([name, from]);
    return files[from === 'main.policy' ? `dir/${name.replace(/^dir\//, '')}` : `dir/sub/${name.replace(/^sub\//, '')}`];
  };
  const tokens = tokenizeWithIncludes('#include "dir/a.policy";', { file: 'main.policy', readInclude });
  assert.deepEqual(seen, [['dir/a.policy', 'main.policy'], ['sub/b.policy', 'dir/a.policy']]);
  assert.equal(tokens[0].pos.file, 'dir/sub/b.policy');
});

test('errors inside an included file carry its name', T, () => {
  const err = lexError('#include "bad.policy"\n', { readInclude: reader({ 'bad.policy': '\n  $' }) });
  assert.equal(err.message, "bad.policy:2:3: lexical error, unexpected char `$'");
  assert.equal(err.file, 'bad.policy');
});

test('an unreadable include, or no reader at all, is "could not include file"', T, () => {
  const err = lexError('\n #include "nope.policy"\n', { readInclude: reader({}) });
  assert.equal(err.message, "2:11: could not include file `nope.policy'");
  assert.match(err.hint, /ENOENT/);
  assert.equal(lexError('#include "x";', {}).message, "1:10: could not include file `x'");
});

test('include cycles are rejected naming the chain', T, () => {
  const self = lexError('#include "s.policy"\n', { readInclude: reader({ 's.policy': '#include "s.policy"\n' }) });
  assert.equal(self.message, 's.policy:1:10: include cycle: s.policy -> s.policy');
  const files = { 'a.policy': '#include "b.policy";', 'b.policy': '\n#include "a.policy";' };
  const loop = lexError('#include "a.policy";', { file: 'main.policy', readInclude: reader(files) });
  assert.equal(loop.message, 'b.policy:2:10: include cycle: a.policy -> b.policy -> a.policy');
  const back = lexError('#include "a.policy";', { file: 'a.policy', readInclude: reader({ 'a.policy': 'x' }) });
  assert.equal(back.message, '1:10: include cycle: a.policy -> a.policy');
});

test(`include depth is limited to ${MAX_INCLUDE_DEPTH}`, T, () => {
  const chain = (n) => {
    const files = {};
    for (let i = 1; i <= n; i++) files[`f${i}`] = i < n ? `#include "f${i + 1}";` : 'ALLOW';
    return reader(files);
  };
  const ok = tokenizeWithIncludes('#include "f1";', { readInclude: chain(16) });
  assert.equal(ok[0].text, 'ALLOW');
  assert.equal(ok[0].pos.file, 'f16');
  const err = lexError('#include "f1";', { readInclude: chain(17) });
  assert.equal(err.message, 'f16:1:10: maximum include depth (16) exceeded');
});
