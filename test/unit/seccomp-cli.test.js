// `brig seccomp compile|check`: the filter in each output format, what a policy does with
// one system call, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode } from '../../dist/seccomp/bpf.js';
import { brigBin, prefix, tempDir } from '../helpers/util.js';

const T = { timeout: 20000 };
const POLICY = 'ERRNO(1) { kill(pid, sig) { sig == 0 } } ALLOW { read, write } DEFAULT KILL';
const brig = (args, input) => spawnSync(process.execPath, [brigBin, 'seccomp', ...args], { input, timeout: 15000 });
const text = (r) => r.stdout.toString();

test('compile: raw bytes, JSON and C describe the same program; asm is a listing', T, () => {
  const raw = brig(['compile', '-e', POLICY, '--arch', 'x86_64', '--format', 'raw']);
  assert.equal(raw.status, 0, raw.stderr.toString());
  const insns = decode(raw.stdout);
  assert.deepEqual(JSON.parse(text(brig(['compile', '-e', POLICY, '--arch', 'x86_64', '--format', 'json']))), insns);
  const c = text(brig(['compile', '-e', POLICY, '--arch', 'x86_64', '--format', 'c']));
  assert.equal((c.match(/^\s+\{ 0x/gm) ?? []).length, insns.length);
  const asm = text(brig(['compile', '-e', POLICY, '--arch', 'x86_64']));
  assert.equal(asm.trim().split('\n').length, insns.length);
  assert.match(asm, /AUDIT_ARCH_X86_64/);
  assert.match(text(brig(['compile', '-e', POLICY, '--arch', 'aarch64'])), /AUDIT_ARCH_AARCH64/);
});

test('compile reads a policy file, with #include relative to it, or stdin', T, (t) => {
  const { dir, cleanup } = tempDir(prefix(import.meta.url));
  t.after(cleanup);
  fs.writeFileSync(path.join(dir, 'inc.policy'), 'POLICY io { ALLOW { read, write } }\n');
  fs.writeFileSync(path.join(dir, 'main.policy'), '#include "inc.policy"\nUSE io DEFAULT KILL\n');
  const fromFile = brig(['compile', path.join(dir, 'main.policy'), '--arch', 'x86_64', '--format', 'json']);
  assert.equal(fromFile.status, 0, fromFile.stderr.toString());
  const fromStdin = brig(['compile', '-', '--arch', 'x86_64', '--format', 'json'], 'ALLOW { read, write } DEFAULT KILL');
  assert.equal(fromStdin.status, 0, fromStdin.stderr.toString());
  assert.deepEqual(JSON.parse(text(fromFile)), JSON.parse(text(fromStdin)));
});

test('check: the action for one system call and its arguments', T, () => {
  const check = (...args) => text(brig(['check', '-e', POLICY, '--arch', 'x86_64', ...args])).trim();
  assert.match(check('kill', '1', '0'), /^kill\(1, 0\) on x86_64: ERRNO\(1\) after \d+ instructions$/);
  assert.match(check('kill', '1', '9'), /: KILL_THREAD after/);
  assert.match(check('read'), /: ALLOW after/);
  assert.match(check('ptrace'), /: KILL_THREAD after/);
  assert.match(check('0'), /^0\(\) on x86_64: ALLOW/, 'a raw number');
});

test('errors: a policy error with its position and hint, unknown options and subcommands', T, () => {
  const bad = brig(['compile', '-e', 'ALLOW { opn }', '--arch', 'x86_64']);
  assert.equal(bad.status, 255);
  assert.match(bad.stderr.toString(), /^brig: seccomp: 1:9: undefined syscall `opn'\nbrig: hint: did you mean `open'\?/);
  assert.match(brig(['compile', '-e', 'DEFAULT KILL', '--format', 'hex']).stderr.toString(), /--format must be one of raw, c, asm, json/);
  assert.match(brig(['check', '-e', 'DEFAULT KILL', 'nosuchcall']).stderr.toString(), /unknown system call 'nosuchcall'/);
  assert.match(brig(['compiel']).stderr.toString(), /did you mean 'brig seccomp compile'/);
  const learn = brig(['learn', '--', 'true']);
  assert.equal(learn.status, 255);
  assert.match(learn.stderr.toString(), /not yet supported/);
});
