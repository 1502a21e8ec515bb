// The option table, the help text and docs/options.md must agree: all three come from
// src/config/table.ts, and the checked-in Markdown must not drift from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { optionsMarkdown, runHelp } from '../../dist/cli/help.js';
import { longNames, OPTIONS } from '../../dist/config/table.js';

const T = { timeout: 10000 };
const DOC = fileURLToPath(new URL('../../docs/options.md', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/brig.cjs', import.meta.url));
const REGENERATE = 'docs/options.md is out of date: regenerate it with `./bin/brig.cjs help --markdown > docs/options.md`';
const GROUPS = ['Command', 'Filesystem', 'Identity', 'Namespaces', 'Limits', 'Process', 'Pending'];

test('docs/options.md is exactly what `brig help --markdown` prints', T, () => {
  assert.ok(fs.existsSync(DOC), REGENERATE);
  const doc = fs.readFileSync(DOC, 'utf8');
  assert.equal(doc, `${optionsMarkdown()}\n`, REGENERATE);
});

test('`brig help --markdown` through the CLI matches optionsMarkdown()', T, () => {
  const r = spawnSync(process.execPath, [BIN, 'help', '--markdown'], { encoding: 'utf8', timeout: 9000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${optionsMarkdown()}\n`);
});

test('optionsMarkdown() has a row for every option, with its aliases and library path', T, () => {
  const md = optionsMarkdown();
  for (const row of OPTIONS) {
    const line = md.split('\n').find((l) => l.startsWith(`| \`--${row.name}${row.arg ? ` ${row.arg}` : ''}\` |`));
    assert.ok(line, `--${row.name} has a row`);
    if (row.short) assert.ok(line.includes(`\`-${row.short}\``), `--${row.name} lists -${row.short}`);
    for (const n of longNames(row).filter((x) => x !== row.name)) assert.ok(line.includes(`\`--${n}\``), `--${row.name} lists --${n}`);
    if (row.library) assert.ok(line.includes(`\`${row.library}\``), `--${row.name} names ${row.library}`);
    if (row.pending) assert.ok(line.includes(`needs ${row.pending}`), `--${row.name} says what it needs`);
  }
});

test('runHelp() mentions every implemented option and lists the pending ones', T, () => {
  const help = runHelp();
  const words = new Set(help.split(/[\s,]+/));
  for (const row of OPTIONS.filter((r) => !r.pending)) {
    assert.ok(words.has(`--${row.name}`), `help mentions --${row.name}`);
    assert.ok(help.includes(row.help), `help has the text of --${row.name}`);
    if (row.short) assert.ok(help.includes(`-${row.short}, --${row.name}`), `help shows -${row.short} with --${row.name}`);
  }
  const pendingLine = help.split('\n').find((l) => l.startsWith('Accepted but not yet supported'));
  assert.ok(pendingLine);
  for (const row of OPTIONS.filter((r) => r.pending)) assert.ok(pendingLine.split(' ').includes(`--${row.name}`), `--${row.name} listed as pending`);
  assert.match(help, /^usage: brig run/);
});

test('`brig run --help` and `brig help` print the help and exit 0', T, () => {
  for (const args of [['run', '--help'], ['run', '-h'], ['help'], ['--help']]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 9000 });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, `${runHelp()}\n`, args.join(' '));
    assert.equal(r.stderr, '');
  }
});

// ---------------------------------------------------------------- the table itself

test('option rows: unique names, short letters and long spellings', T, () => {
  const names = OPTIONS.map((r) => r.name);
  assert.equal(new Set(names).size, names.length, `duplicate names: ${names.filter((n, i) => names.indexOf(n) !== i)}`);
  const shorts = OPTIONS.filter((r) => r.short).map((r) => r.short);
  assert.equal(new Set(shorts).size, shorts.length, `duplicate short letters: ${shorts.filter((s, i) => shorts.indexOf(s) !== i)}`);
  assert.ok(!shorts.includes('h'), '-h is help');
  const owner = new Map();
  for (const row of OPTIONS) {
    for (const n of longNames(row)) {
      const key = n.replace(/_/g, '-');
      assert.ok(!owner.has(key) || owner.get(key) === row.name, `--${n} belongs to both --${owner.get(key)} and --${row.name}`);
      owner.set(key, row.name);
    }
  }
  assert.ok(!owner.has('help'), '--help is reserved');
});

test('option rows: well-formed', T, () => {
  for (const row of OPTIONS) {
    assert.match(row.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${row.name} is kebab-case`);
    assert.equal(typeof row.help, 'string');
    assert.ok(row.help.trim().length > 0, `--${row.name} has help`);
    assert.ok(typeof row.apply === 'function' || (typeof row.pending === 'string' && row.pending.length > 0), `--${row.name} has apply or pending`);
    assert.ok(!(row.apply && row.pending), `--${row.name} is not both implemented and pending`);
    if (row.short !== undefined) assert.match(row.short, /^[A-Za-z0-9]$/, `--${row.name} short letter`);
    assert.ok(GROUPS.includes(row.group), `--${row.name} group ${row.group}`);
    assert.equal(row.group === 'Pending', Boolean(row.pending), `--${row.name}: pending rows and the Pending group go together`);
    if (!row.pending) assert.ok(row.library, `--${row.name} names its library option`);
    for (const a of row.aliases ?? []) assert.ok(!a.startsWith('-'), `alias ${a} without dashes`);
  }
});
