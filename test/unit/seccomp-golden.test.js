// Golden policies: one per construct, with the verdict each syscall and argument value
// must get, as a reader would work it out from Kafel's rules (nsjail.md 8.4). The property
// tests check the compiler against an evaluator; these pin the meaning itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileText } from '../../dist/seccomp/codegen.js';
import { run } from '../../dist/seccomp/interp.js';
import { AUDIT_ARCH, lookupSyscall } from '../../dist/seccomp/syscalls/index.js';

const T = { timeout: 20000 };
const ARCH = 'x86_64';

/** [policy, [[syscall, args, expected], ...]]; expected like 'ALLOW' or 'ERRNO(1)'. */
const GOLDEN = [
  ['ALLOW { read, write } DEFAULT KILL', [
    ['read', [], 'ALLOW'], ['write', [], 'ALLOW'], ['open', [], 'KILL_THREAD']]],
  ['ALLOW { read }', [['read', [], 'ALLOW'], ['write', [], 'KILL_THREAD']], 'no DEFAULT means KILL'],
  ['DEFAULT ALLOW ERRNO(13) { open }', [['open', [], 'ERRNO(13)'], ['read', [], 'ALLOW']], 'DEFAULT anywhere'],
  ['KILL_PROCESS { ptrace } LOG { uname } TRAP(5) { kill } TRACE(7) { tkill } USER_NOTIF { mount } DEFAULT ALLOW', [
    ['ptrace', [], 'KILL_PROCESS'], ['newuname', [], 'LOG'], ['kill', [], 'TRAP(5)'], ['tkill', [], 'TRACE(7)'], ['mount', [], 'USER_NOTIF']]],
  ['ALLOW { write(fd, buf, count) { fd == 1 } } ERRNO(9) { write } DEFAULT KILL', [
    ['write', [1n], 'ALLOW'], ['write', [2n], 'ERRNO(9)']], 'first matching rule wins'],
  ['ERRNO(1) { write } ALLOW { write(fd, buf, count) { fd == 1 } } DEFAULT KILL', [
    ['write', [1n], 'ERRNO(1)']], 'an unconditional rule hides later ones'],
  ['ALLOW { kill { sig == 0 } } DEFAULT ERRNO(1)', [
    ['kill', [5n, 0n], 'ALLOW'], ['kill', [5n, 9n], 'ERRNO(1)'],
    ['kill', [5n, 0x1_0000_0000n], 'ALLOW']], "a 4-byte argument (the table's names) compares its low 32 bits"],
  ['ALLOW { mmap { len == 0x100000000 } } DEFAULT ERRNO(1)', [
    ['mmap', [0n, 0x1_0000_0000n], 'ALLOW'], ['mmap', [0n, 0n], 'ERRNO(1)']], 'an 8-byte argument compares both halves'],
  ['ALLOW { kill(a, b) { b == 0 } } DEFAULT ERRNO(1)', [
    ['kill', [5n, 0x1_0000_0000n], 'ERRNO(1)']], 'declared names are 64-bit'],
  ['ALLOW { mmap(addr, len, prot) { prot & 4 == 0 } } DEFAULT ERRNO(1)', [
    ['mmap', [0n, 0n, 3n], 'ALLOW'], ['mmap', [0n, 0n, 7n], 'ERRNO(1)']], 'masks'],
  ['ALLOW { mmap(addr, len, prot) { (prot | 1) == 3 } } DEFAULT ERRNO(1)', [
    ['mmap', [0n, 0n, 2n], 'ALLOW'], ['mmap', [0n, 0n, 4n], 'ERRNO(1)']], '| operands'],
  ['ALLOW { read(fd) { fd < 3 && !(fd == 1) } } DEFAULT ERRNO(1)', [
    ['read', [0n], 'ALLOW'], ['read', [1n], 'ERRNO(1)'], ['read', [2n], 'ALLOW'], ['read', [3n], 'ERRNO(1)']], '&& and !'],
  ['ALLOW { read(fd) { fd == 0 || fd == 5, fd >= 10 } } DEFAULT ERRNO(1)', [
    ['read', [0n], 'ALLOW'], ['read', [5n], 'ALLOW'], ['read', [12n], 'ALLOW'], ['read', [6n], 'ERRNO(1)']], '|| and the comma'],
  ['ALLOW { read(fd) { fd != 0 }, write(fd) { fd <= 2 }, close(fd) { fd > 2 } } DEFAULT ERRNO(1)', [
    ['read', [0n], 'ERRNO(1)'], ['read', [1n], 'ALLOW'], ['write', [2n], 'ALLOW'], ['write', [3n], 'ERRNO(1)'],
    ['close', [3n], 'ALLOW'], ['close', [2n], 'ERRNO(1)']], '!=, <=, >'],
  ['ALLOW { dup2(oldfd, newfd) { oldfd == newfd } } DEFAULT ERRNO(1)', [
    ['dup2', [4n, 4n], 'ALLOW'], ['dup2', [4n, 5n], 'ERRNO(1)']], 'argument against argument'],
  ['#define STDOUT 1\nALLOW { write(fd) { fd == STDOUT } } DEFAULT ERRNO(1)', [
    ['write', [1n], 'ALLOW'], ['write', [2n], 'ERRNO(1)']], '#define'],
  ['POLICY io { ALLOW { read, write } } POLICY all { USE io, ERRNO(2) { open } } USE all DEFAULT KILL', [
    ['read', [], 'ALLOW'], ['open', [], 'ERRNO(2)'], ['close', [], 'KILL_THREAD']], 'nested USE'],
  ['ALLOW { read ON x86_64, write ON aarch64 } DEFAULT ERRNO(1)', [
    ['read', [], 'ALLOW'], ['write', [], 'ERRNO(1)']], 'ON guards'],
  ['ERRNO(3) { SYSCALL[0] } DEFAULT ALLOW', [['read', [], 'ERRNO(3)']], 'SYSCALL[n]'],
  ['ERRNO(4) { stat, umount2 } DEFAULT ALLOW', [['newstat', [], 'ERRNO(4)'], ['umount', [], 'ERRNO(4)']], 'libc names are aliases'],
];

function verdict(insns, name, args) {
  const { nr } = lookupSyscall(ARCH, name);
  const r = run(insns, { nr, arch: AUDIT_ARCH[ARCH], args });
  return ['ERRNO', 'TRAP', 'TRACE'].includes(r.action) ? `${r.action}(${r.data})` : r.action;
}

for (const [policy, cases, why] of GOLDEN) {
  test(`golden: ${why ?? policy}`, T, () => {
    const insns = compileText(policy, ARCH);
    for (const [name, args, expected] of cases) {
      assert.equal(verdict(insns, name, args), expected, `${policy}\n  ${name}(${args.join(', ')})`);
    }
  });
}

test('golden: every compiled program refuses a foreign architecture', T, () => {
  for (const [policy] of GOLDEN) {
    assert.equal(run(compileText(policy, ARCH), { nr: 0, arch: AUDIT_ARCH.aarch64 }).action, 'KILL_PROCESS');
  }
});
