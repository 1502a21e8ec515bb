// Unit tests for src/plan/encode.ts: the buffer must match native/ops.h, which is read here
// for the operation codes; the layouts below are transcribed from its comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { encode } from '../../dist/plan/encode.js';
import { plan } from '../../dist/plan/plan.js';
import { validate } from '../../dist/config/validate.js';

const T = { timeout: 10000 };
const AT_RECURSIVE = 0x8000;

/** enum brig_op from native/ops.h: OP_NAME -> code. */
const HEADER = fs.readFileSync(new URL('../../native/ops.h', import.meta.url), 'utf8');
const ENUM = Object.fromEntries([...HEADER.matchAll(/^\s*(OP_[A-Z_]+)\s*=\s*(\d+)\s*,/gm)].map((m) => [m[1], Number(m[2])]));
const OP_NAMES = {
  waitParent: 'OP_WAIT_PARENT', mount: 'OP_MOUNT', mountSetattr: 'OP_MOUNT_SETATTR', pivotRoot: 'OP_PIVOT_ROOT',
  mkdir: 'OP_MKDIR', mkfile: 'OP_MKFILE', symlink: 'OP_SYMLINK', chdir: 'OP_CHDIR', sethostname: 'OP_SETHOSTNAME',
  setrlimit: 'OP_SETRLIMIT', setsid: 'OP_SETSID', newKeyring: 'OP_NEW_KEYRING', loopbackUp: 'OP_LOOPBACK_UP',
  setgroups: 'OP_SETGROUPS', setresgid: 'OP_SETRESGID', setresuid: 'OP_SETRESUID', caps: 'OP_CAPS',
  noNewPrivs: 'OP_NO_NEW_PRIVS', unshare: 'OP_UNSHARE', writeFile: 'OP_WRITE_FILE', pdeathsig: 'OP_PDEATHSIG',
  fds: 'OP_FDS', openReg: 'OP_OPEN_REG', execve: 'OP_EXECVE', execveat: 'OP_EXECVEAT', nice: 'OP_NICE',
  openTree: 'OP_OPEN_TREE', moveMount: 'OP_MOVE_MOUNT', fsmount: 'OP_FSMOUNT', nestedUserns: 'OP_NESTED_USERNS', seccomp: 'OP_SECCOMP',
};
const CODE_TO_OP = Object.fromEntries(Object.entries(OP_NAMES).map(([op, name]) => [ENUM[name], op]));

/** Reads one operation's fields, following the layouts documented in native/ops.h. */
class Reader {
  constructor(buf, start, end) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }
  need(n) {
    assert.ok(this.pos + n <= this.end, `field of ${n} bytes at ${this.pos} runs past the op's end ${this.end}`);
  }
  u32() {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  i32() {
    this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  pad32() {
    assert.equal(this.u32(), 0, 'padding is zero');
  }
  u64() {
    assert.equal(this.pos % 8, 0, 'u64 fields are 8-aligned');
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  str() {
    const nul = this.buf.indexOf(0, this.pos);
    assert.ok(nul >= 0 && nul < this.end, `string at ${this.pos} is NUL-terminated inside the op`);
    const s = this.buf.toString('utf8', this.pos, nul);
    this.pos = nul + 1;
    return s;
  }
  zeros(n) {
    this.need(n);
    assert.ok(this.buf.subarray(this.pos, this.pos + n).every((b) => b === 0), `${n} zero bytes at ${this.pos}`);
    this.pos += n;
  }
}

function decodeFields(op, r) {
  switch (op) {
    case 'waitParent': case 'setsid': case 'newKeyring': case 'loopbackUp': case 'noNewPrivs':
      return {};
    case 'mount':
      return { flags: r.u64(), source: r.str(), target: r.str(), fstype: r.str(), data: r.str() };
    case 'mountSetattr':
      return { set: r.u64(), clear: r.u64(), atFlags: r.u32(), reg: r.i32(), path: r.str() };
    case 'pivotRoot':
      return { newRoot: r.str() };
    case 'mkdir': case 'mkfile': {
      const mode = r.u32();
      r.pad32();
      return { mode, path: r.str() };
    }
    case 'symlink':
      return { target: r.str(), path: r.str() };
    case 'chdir':
      return { path: r.str() };
    case 'sethostname':
      return { name: r.str() };
    case 'setrlimit': {
      const resource = r.u32();
      r.pad32();
      return { resource, soft: r.u64(), hard: r.u64() };
    }
    case 'setgroups': {
      const count = r.u32();
      r.pad32();
      const gids = Array.from({ length: count }, () => r.u32());
      if (count % 2) r.pad32();
      return { gids };
    }
    case 'setresgid': {
      const gid = r.u32();
      r.pad32();
      return { gid };
    }
    case 'setresuid':
      return { uid: r.u32(), keep: r.u32() };
    case 'caps':
      return { keep: r.u64() };
    case 'unshare':
      return { flags: r.u64() };
    case 'writeFile':
      return { path: r.str(), content: r.str() };
    case 'pdeathsig': {
      const signal = r.u32();
      r.pad32();
      return { signal };
    }
    case 'fds': {
      const count = r.u32();
      r.pad32();
      return { pairs: Array.from({ length: count }, () => [r.i32(), r.i32()]) };
    }
    case 'openReg':
      return { flags: r.u32(), reg: r.u32(), path: r.str() };
    case 'execve': {
      const npaths = r.u32(), argc = r.u32(), envc = r.u32();
      r.pad32();
      const slots = 8 * (argc + 1 + envc + 1);
      r.zeros(slots);
      const strs = (n) => Array.from({ length: n }, () => r.str());
      return { slots, paths: strs(npaths), argv: strs(argc), env: strs(envc) };
    }
    case 'execveat': {
      const reg = r.u32(), argc = r.u32(), envc = r.u32();
      r.pad32();
      const slots = 8 * (argc + 1 + envc + 1);
      r.zeros(slots);
      const strs = (n) => Array.from({ length: n }, () => r.str());
      return { reg, slots, argv: strs(argc), env: strs(envc) };
    }
    case 'nice': {
      const value = r.i32();
      r.pad32();
      return { value };
    }
    case 'openTree': case 'moveMount': {
      const reg = r.u32();
      r.pad32();
      return op === 'openTree' ? { reg, path: r.str() } : { reg, target: r.str() };
    }
    case 'nestedUserns':
      return { uidMap: r.str(), gidMap: r.str() };
    case 'seccomp': {
      const flags = r.u32();
      const count = r.u32();
      const program = [];
      for (let i = 0; i < count; i++) program.push(r.u64());
      return { flags, count, program };
    }
    case 'fsmount': {
      const reg = r.u32();
      const attrs = r.u32();
      return { reg, attrs, fstype: r.str() };
    }
    default:
      throw new Error(`no layout for ${op}`);
  }
}

/** Walks a whole buffer: [{ op, code, offset, size, fields }]; checks sizes and padding. */
function decode(buf) {
  const out = [];
  let offset = 0;
  while (offset < buf.length) {
    assert.ok(offset + 8 <= buf.length, `header at ${offset} fits`);
    const code = buf.readUInt32LE(offset);
    const size = buf.readUInt32LE(offset + 4);
    const op = CODE_TO_OP[code];
    assert.ok(op, `known code ${code} at ${offset}`);
    assert.equal(size % 8, 0, `${op}: size ${size} is a multiple of 8`);
    assert.ok(size >= 8 && offset + size <= buf.length, `${op}: size ${size} fits`);
    const r = new Reader(buf, offset + 8, offset + size);
    const fields = decodeFields(op, r);
    // The size covers exactly the fields, rounded up to 8 with zero bytes.
    assert.equal(size, (r.pos - offset + 7) & ~7, `${op}: size ${size} covers exactly its fields (${r.pos - offset} bytes)`);
    r.zeros(offset + size - r.pos);
    out.push({ op, code, offset, size, fields });
    offset += size;
  }
  assert.equal(offset, buf.length, 'the walk lands exactly on the end');
  return out;
}

const one = (op) => {
  const buf = encode([op]);
  const d = decode(buf);
  assert.equal(d.length, 1);
  return { ...d[0], buf };
};

// ---------------------------------------------------------------- the header

test('native/ops.h codes: every op has a distinct code, and the header has no op encode.ts lacks', T, () => {
  const codes = Object.values(OP_NAMES).map((n) => ENUM[n]);
  assert.ok(codes.every((c) => Number.isInteger(c)), `every op named in ops.h: ${JSON.stringify(OP_NAMES)}`);
  assert.equal(new Set(codes).size, codes.length);
  // OP_MOVE_ROOT exists in the header but no ChildOp produces it yet.
  const unused = Object.keys(ENUM).filter((n) => !Object.values(OP_NAMES).includes(n));
  assert.deepEqual(unused, ['OP_MOVE_ROOT']);
});

// ---------------------------------------------------------------- one op at a time

const cases = [
  { in: { op: 'waitParent' }, size: 8, fields: {} },
  { in: { op: 'setsid' }, size: 8, fields: {} },
  { in: { op: 'newKeyring' }, size: 8, fields: {} },
  { in: { op: 'loopbackUp' }, size: 8, fields: {} },
  { in: { op: 'noNewPrivs' }, size: 8, fields: {} },
  { in: { op: 'mount', source: 'tmpfs', target: '/tmp', fstype: 'tmpfs', flags: 0x4006, data: 'mode=1777' },
    fields: { flags: 0x4006n, source: 'tmpfs', target: '/tmp', fstype: 'tmpfs', data: 'mode=1777' } },
  { in: { op: 'mount', source: '', target: '/', fstype: '', flags: 0x44000, data: '' },
    size: 8 + 8 + 5 + 3, fields: { flags: 0x44000n, source: '', target: '/', fstype: '', data: '' }, why: 'empty strings are lone NULs' },
  { in: { op: 'mountSetattr', path: '/', reg: -1, set: 7, clear: 0, recursive: true },
    size: 8 + 8 + 8 + 4 + 4 + 8, fields: { set: 7n, clear: 0n, atFlags: AT_RECURSIVE, reg: -1, path: '/' } },
  { in: { op: 'mountSetattr', path: '', reg: 3, set: 1, clear: 2, recursive: false },
    fields: { set: 1n, clear: 2n, atFlags: 0, reg: 3, path: '' } },
  { in: { op: 'pivotRoot', newRoot: '/tmp' }, size: 16, fields: { newRoot: '/tmp' } },
  { in: { op: 'mkdir', path: '/a/b', mode: 0o755 }, size: 24, fields: { mode: 0o755, path: '/a/b' } },
  { in: { op: 'mkfile', path: '/dev/null', mode: 0o666 }, size: 32, fields: { mode: 0o666, path: '/dev/null' } },
  { in: { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' }, fields: { target: 'pts/ptmx', path: '/dev/ptmx' } },
  { in: { op: 'chdir', path: '/usr/lib' }, fields: { path: '/usr/lib' } },
  { in: { op: 'sethostname', name: 'brig' }, size: 16, fields: { name: 'brig' } },
  { in: { op: 'setrlimit', resource: 7, soft: 1024n, hard: 2n ** 64n - 1n }, size: 32, fields: { resource: 7, soft: 1024n, hard: 2n ** 64n - 1n } },
  { in: { op: 'setgroups', gids: [] }, size: 16, fields: { gids: [] } },
  { in: { op: 'setgroups', gids: [5] }, size: 24, fields: { gids: [5] }, why: 'odd count padded' },
  { in: { op: 'setgroups', gids: [5, 6] }, size: 24, fields: { gids: [5, 6] } },
  { in: { op: 'setgroups', gids: [1, 2, 4294967294] }, size: 32, fields: { gids: [1, 2, 4294967294] } },
  { in: { op: 'setresgid', gid: 65534 }, size: 16, fields: { gid: 65534 } },
  { in: { op: 'setresuid', uid: 1000, keepCaps: true }, size: 16, fields: { uid: 1000, keep: 1 } },
  { in: { op: 'setresuid', uid: 0, keepCaps: false }, size: 16, fields: { uid: 0, keep: 0 } },
  { in: { op: 'caps', keep: (1n << 40n) | 1n }, size: 16, fields: { keep: (1n << 40n) | 1n } },
  { in: { op: 'unshare', flags: 0x10020000n }, size: 16, fields: { flags: 0x10020000n } },
  { in: { op: 'writeFile', path: '/proc/self/uid_map', content: '0 0 1\n' }, fields: { path: '/proc/self/uid_map', content: '0 0 1\n' } },
  { in: { op: 'pdeathsig', signal: 9 }, size: 16, fields: { signal: 9 } },
  { in: { op: 'fds', pairs: [[0, 0], [7, 1], [-1, 3]] }, size: 8 + 8 + 24, fields: { pairs: [[0, 0], [7, 1], [-1, 3]] } },
  { in: { op: 'fds', pairs: [] }, size: 16, fields: { pairs: [] } },
  { in: { op: 'openReg', path: '/x/brig-init', flags: 0o10000000, reg: 255 }, fields: { flags: 0o10000000, reg: 255, path: '/x/brig-init' } },
  { in: { op: 'execve', paths: ['/usr/bin/true', '/bin/true'], argv: ['true', 'a b'], env: ['PATH=/bin'] },
    fields: { slots: 8 * (2 + 1 + 1 + 1), paths: ['/usr/bin/true', '/bin/true'], argv: ['true', 'a b'], env: ['PATH=/bin'] } },
  { in: { op: 'execve', paths: ['/bin/true'], argv: ['true'], env: [] },
    fields: { slots: 8 * 3, paths: ['/bin/true'], argv: ['true'], env: [] } },
  { in: { op: 'execveat', reg: 255, argv: ['brig-init', '3', '40', '/bin/sh', 'sh'], env: ['A=1', 'B=2'] },
    fields: { reg: 255, slots: 8 * (5 + 1 + 2 + 1), argv: ['brig-init', '3', '40', '/bin/sh', 'sh'], env: ['A=1', 'B=2'] } },
  { in: { op: 'nice', value: -20 }, size: 16, fields: { value: -20 } },
  { in: { op: 'nice', value: 19 }, size: 16, fields: { value: 19 } },
  { in: { op: 'openTree', path: '/dev/null', reg: 4 }, size: 8 + 8 + 10 + 6, fields: { reg: 4, path: '/dev/null' } },
  { in: { op: 'moveMount', reg: 4, target: '/dev/null' }, fields: { reg: 4, target: '/dev/null' } },
  { in: { op: 'seccomp', flags: 2, program: new Uint8Array([1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]) }, size: 8 + 8 + 16,
    fields: { flags: 2, count: 2, program: [0x0706050403020001n, 0x0f0e0d0c0b0a0908n] }, why: 'the filter follows as raw 8-byte instructions' },
  { in: { op: 'nestedUserns', uidMap: '0 0 1\n', gidMap: '0 0 2\n' }, size: 8 + 7 + 7 + 2, fields: { uidMap: '0 0 1\n', gidMap: '0 0 2\n' } },
  { in: { op: 'fsmount', fstype: 'proc', attrs: 0xe, reg: 7 }, size: 8 + 8 + 5 + 3, fields: { reg: 7, attrs: 0xe, fstype: 'proc' } },
  { in: { op: 'sethostname', name: 'bôx' }, size: 16, fields: { name: 'bôx' }, why: 'strings are UTF-8 bytes' },
  { in: { op: 'chdir', path: '1234567' }, size: 16, fields: { path: '1234567' }, why: 'exactly filling 8 bytes' },
  { in: { op: 'chdir', path: '12345678' }, size: 24, fields: { path: '12345678' }, why: 'one byte over' },
];

for (const c of cases) {
  test(`encode ${c.in.op}${c.why ? ` (${c.why})` : ` ${JSON.stringify(c.fields, (_, x) => (typeof x === 'bigint' ? `${x}n` : x))}`}`, T, () => {
    const d = one(c.in);
    assert.equal(d.op, c.in.op);
    assert.equal(d.code, ENUM[OP_NAMES[c.in.op]]);
    if (c.size !== undefined) assert.equal(d.size, c.size);
    assert.deepEqual(d.fields, c.fields);
    assert.equal(d.buf.length, d.size);
  });
}

test('plan metadata (stage, what, subject) is not encoded', T, () => {
  const bare = encode([{ op: 'chdir', path: '/x' }]);
  const planned = encode([{ op: 'chdir', path: '/x', stage: 'process', what: 'change to the working directory', subject: '/x' }]);
  assert.deepEqual(planned, bare);
});

test('an empty list encodes to an empty buffer', T, () => {
  assert.equal(encode([]).length, 0);
});

// ---------------------------------------------------------------- whole plans

const CTX = { staging: '/tmp', stdioFds: [0, 1, 2], initPath: '/x/brig-init', currentRlimits: { nofile: [1024n, 4096n] }, setgroupsAllowed: true };

/** What decode() gives back for a planned op, to compare field by field. */
function expectedFields(o) {
  const strip = ({ op, stage, what, subject, ...rest }) => rest;
  const f = strip(o);
  switch (o.op) {
    case 'mount': return { ...f, flags: BigInt(o.flags) };
    case 'mountSetattr': return { set: BigInt(o.set), clear: BigInt(o.clear), atFlags: o.recursive ? AT_RECURSIVE : 0, reg: o.reg, path: o.path };
    case 'setresuid': return { uid: o.uid, keep: o.keepCaps ? 1 : 0 };
    case 'execve': return { slots: 8 * (o.argv.length + 1 + o.env.length + 1), paths: o.paths, argv: o.argv, env: o.env };
    case 'execveat': return { reg: o.reg, slots: 8 * (o.argv.length + 1 + o.env.length + 1), argv: o.argv, env: o.env };
    default: return f;
  }
}

function roundTrip(p) {
  const buf = encode(p.child);
  const d = decode(buf);
  assert.equal(d.length, p.child.length);
  for (const [i, o] of p.child.entries()) {
    assert.equal(d[i].op, o.op, `op ${i}`);
    assert.deepEqual(d[i].fields, expectedFields(o), `op ${i} (${o.op}) fields`);
  }
  return d;
}

test('a full default plan round-trips: walking by size lands exactly on the end', T, () => {
  const spec = validate({ command: ['sh', '-c', 'echo hi'], env: { A: 'b' } }, { stdio: ['ignore', 'pipe', 'pipe'] });
  const d = roundTrip(plan(spec, CTX));
  assert.equal(d.at(-1).op, 'execve');
  assert.deepEqual(d.at(-1).fields.argv, ['sh', '-c', 'echo hi']);
});

test('a full plan with init, binds, rlimits, nice, kept caps and passed fds round-trips', T, () => {
  const fd = fs.openSync('/etc/passwd', 'r');
  try {
    const spec = validate({
      command: ['true'], init: true, keepCaps: true, nice: -1, passFds: [fd], hostname: 'h',
      rlimits: { nofile: 'def', as: '64M' },
      mounts: [{ type: 'bind', source: '/etc', target: '/usr/share', readOnly: true }, { type: 'tmpfs', target: '/tmp/x', size: '1M' }, { type: 'symlink', target: 'a', path: '/tmp/l' }],
    }, { stdio: ['ignore', 'pipe', 'pipe'] });
    const p = plan(spec, CTX);
    const d = roundTrip(p);
    const exec = d[p.execIndex];
    assert.equal(exec.op, 'execveat');
    assert.equal(exec.fields.argv[2], String(p.execIndex));
    const fds = d.find((x) => x.op === 'fds');
    assert.deepEqual(fds.fields.pairs.at(-1), [-1, fd + 1]);
    const ops = new Set(d.map((x) => x.op));
    for (const op of ['unshare', 'writeFile', 'setrlimit', 'nice', 'openReg', 'openTree', 'moveMount', 'mountSetattr', 'setgroups']) assert.ok(ops.has(op), op);
  } finally {
    fs.closeSync(fd);
  }
});

test('a --chroot plan round-trips (pivotRoot, register-based setattr)', T, () => {
  const dir = fs.mkdtempSync('/tmp/brig-unit-encode-');
  try {
    fs.mkdirSync(`${dir}/proc`);
    const p = plan(validate({ command: ['/bin/true'], root: dir }, { stdio: ['ignore', 'pipe', 'pipe'] }), CTX);
    const d = roundTrip(p);
    assert.ok(d.some((x) => x.op === 'pivotRoot'));
    assert.ok(d.some((x) => x.op === 'mountSetattr' && x.fields.reg === 0 && x.fields.path === ''));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('offsets: each op starts where the previous one ended, 8-aligned', T, () => {
  const ops = [{ op: 'chdir', path: '/' }, { op: 'setgroups', gids: [1] }, { op: 'waitParent' }, { op: 'sethostname', name: 'a-long-host-name' }];
  const d = decode(encode(ops));
  assert.deepEqual(d.map((x) => x.offset), [0, 16, 40, 48]);
  assert.deepEqual(d.map((x) => x.size), [16, 24, 8, 32]);
});
