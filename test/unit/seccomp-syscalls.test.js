import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  lookupSyscall,
  syscallByNumber,
  syscallNames,
  syscallAliases,
  AUDIT_ARCH,
} from '../../dist/seccomp/syscalls/index.js';

const opts = { timeout: 10000 };
const nr = (arch, name) => lookupSyscall(arch, name)?.nr;
const argNames = (arch, name) => lookupSyscall(arch, name).args.map((a) => a[0]);
const argSizes = (arch, name) => lookupSyscall(arch, name).args.map((a) => a[1]);

test('x86_64 numbers', opts, () => {
  const want = {
    read: 0, write: 1, open: 2, close: 3, newstat: 4, newfstat: 5, newlstat: 6, mmap: 9,
    pread64: 17, sendfile64: 40, clone: 56, execve: 59, newuname: 63, umount: 166,
    newfstatat: 262, clone3: 435, openat2: 437, mseal: 462, setxattrat: 463, getxattrat: 464,
    listxattrat: 465, removexattrat: 466, open_tree_attr: 467, file_getattr: 468, file_setattr: 469,
    uretprobe: 335, uprobe: 336, cachestat: 451, fchmodat2: 452, map_shadow_stack: 453,
    futex_wake: 454, futex_wait: 455, futex_requeue: 456, statmount: 457, listmount: 458,
    lsm_get_self_attr: 459, lsm_set_self_attr: 460, lsm_list_modules: 461,
  };
  for (const [name, n] of Object.entries(want)) assert.equal(nr('x86_64', name), n, name);
});

test('x86_64 arguments', opts, () => {
  assert.deepEqual(argNames('x86_64', 'mmap'), ['addr', 'len', 'prot', 'flags', 'fd', 'off']);
  assert.deepEqual(argSizes('x86_64', 'mmap'), [8, 8, 8, 8, 8, 8]);
  assert.deepEqual(argNames('x86_64', 'clone'), ['clone_flags', 'newsp', 'parent_tidptr', 'child_tidptr', 'tls']);
  assert.deepEqual(argSizes('x86_64', 'clone'), [8, 8, 8, 8, 8]);
  assert.deepEqual(lookupSyscall('x86_64', 'read').args, [['fd', 4], ['buf', 8], ['count', 8]]);
  assert.deepEqual(lookupSyscall('x86_64', 'socket').args, [['family', 4], ['type', 4], ['protocol', 4]]);
  assert.deepEqual(lookupSyscall('x86_64', 'open').args, [['filename', 8], ['flags', 4], ['mode', 4]]);
  assert.deepEqual(argNames('x86_64', 'execve'), ['filename', 'argv', 'envp']);
  assert.deepEqual(lookupSyscall('x86_64', 'mseal').args, [['start', 8], ['len', 8], ['flags', 8]]);
  assert.deepEqual(argNames('x86_64', 'file_setattr'), ['dfd', 'filename', 'ufattr', 'usize', 'at_flags']);
  assert.deepEqual(lookupSyscall('x86_64', 'getpid').args, []);
});

test('aarch64 numbers and arguments', opts, () => {
  const want = {
    read: 63, write: 64, openat: 56, close: 57, clone: 220, execve: 221, mmap: 222,
    newfstat: 80, newfstatat: 79, newuname: 160, umount: 39, clone3: 435, openat2: 437,
    mseal: 462, setxattrat: 463, file_setattr: 469, map_shadow_stack: 453, renameat: 38,
    getrlimit: 163, memfd_secret: 447, sendfile64: 71, fadvise64_64: 223,
  };
  for (const [name, n] of Object.entries(want)) assert.equal(nr('aarch64', name), n, name);
  assert.equal(lookupSyscall('aarch64', 'open'), undefined);
  assert.equal(lookupSyscall('aarch64', 'newstat'), undefined);
  assert.equal(lookupSyscall('aarch64', 'fork'), undefined);
  assert.equal(lookupSyscall('aarch64', 'uprobe'), undefined);
  assert.deepEqual(argNames('aarch64', 'clone'), ['clone_flags', 'newsp', 'parent_tidptr', 'child_tidptr', 'tls']);
  assert.deepEqual(argNames('aarch64', 'mmap'), ['addr', 'len', 'prot', 'flags', 'fd', 'off']);
  assert.deepEqual(argSizes('aarch64', 'mmap'), [8, 8, 8, 8, 8, 8]);
  assert.deepEqual(lookupSyscall('aarch64', 'socket').args, [['family', 4], ['type', 4], ['protocol', 4]]);
});

test('aliases resolve to the Kafel names', opts, () => {
  const x = { stat: 'newstat', fstat: 'newfstat', lstat: 'newlstat', fstatat: 'newfstatat', uname: 'newuname', umount2: 'umount', sendfile: 'sendfile64' };
  for (const [a, t] of Object.entries(x)) assert.equal(lookupSyscall('x86_64', a)?.name, t, a);
  const y = { fstat: 'newfstat', fstatat: 'newfstatat', uname: 'newuname', umount2: 'umount', sendfile: 'sendfile64', fadvise64: 'fadvise64_64' };
  for (const [a, t] of Object.entries(y)) assert.equal(lookupSyscall('aarch64', a)?.name, t, a);
  assert.equal(lookupSyscall('aarch64', 'stat'), undefined);
  assert.equal(lookupSyscall('x86_64', 'toString'), undefined);
  assert.equal(lookupSyscall('x86_64', '__proto__'), undefined);
  assert.equal(lookupSyscall('x86_64', 'READ'), undefined);
  for (const arch of ['x86_64', 'aarch64']) {
    for (const [a, t] of Object.entries(syscallAliases(arch))) {
      assert.ok(lookupSyscall(arch, t), `${arch} alias target ${t}`);
      assert.ok(!syscallNames(arch).includes(a), `${arch} alias ${a} shadows a name`);
    }
  }
});

test('syscallByNumber', opts, () => {
  assert.equal(syscallByNumber('x86_64', 0).name, 'read');
  assert.equal(syscallByNumber('x86_64', 166).name, 'umount');
  assert.equal(syscallByNumber('aarch64', 63).name, 'read');
  assert.equal(syscallByNumber('aarch64', 222).name, 'mmap');
  assert.equal(syscallByNumber('x86_64', 100000), undefined);
});

test('table invariants', opts, () => {
  for (const arch of ['x86_64', 'aarch64']) {
    const names = syscallNames(arch);
    assert.ok(names.length > 300, `${arch} has ${names.length} syscalls`);
    assert.equal(new Set(names).size, names.length, `${arch} duplicate names`);
    const nrs = names.map((n) => lookupSyscall(arch, n).nr);
    assert.equal(new Set(nrs).size, nrs.length, `${arch} duplicate numbers`);
    for (const n of names) {
      const e = lookupSyscall(arch, n);
      assert.equal(syscallByNumber(arch, e.nr), e);
      assert.ok(Number.isInteger(e.nr) && e.nr >= 0 && e.nr < 1024, `${arch} ${n} nr`);
      assert.ok(e.args.length <= 6, `${arch} ${n} has ${e.args.length} args`);
      const an = e.args.map((a) => a[0]);
      assert.equal(new Set(an).size, an.length, `${arch} ${n} duplicate arg names`);
      for (const [a, s] of e.args) {
        assert.match(a, /^[A-Za-z_]\w*$/, `${arch} ${n} arg name`);
        assert.ok(s === 4 || s === 8, `${arch} ${n}.${a} size ${s}`);
      }
    }
    // mutating the returned list must not affect the table
    syscallNames(arch).push('bogus');
    assert.ok(!syscallNames(arch).includes('bogus'));
  }
});

test('AUDIT_ARCH', opts, () => {
  assert.equal(AUDIT_ARCH.x86_64, 0xc000003e);
  assert.equal(AUDIT_ARCH.aarch64, 0xc00000b7);
});
