// Unit tests for src/plan/plan.ts and src/mount/plan-mounts.ts: Spec -> ordered child ops.
// Specs are written out literally (plan() is pure), plus a few built through validate().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plan, RLIMIT_RESOURCES } from '../../dist/plan/plan.js';
import { CLONE, MS, MOUNT_ATTR, O_PATH, REPORT_SOCKET, SIGKILL } from '../../dist/plan/ops.js';
import { DEV_NODES } from '../../dist/mount/plan-mounts.js';
import { validate, RLIMIT_CURRENT_HARD, RLIMIT_CURRENT_SOFT } from '../../dist/config/validate.js';

const T = { timeout: 10000 };
const CTX = Object.freeze({
  staging: '/tmp',
  stdioFds: [0, 1, 2],
  initPath: '/x/brig-init',
  currentRlimits: { nofile: [1024n, 4096n] },
  setgroupsAllowed: true,
});
const ALL_NS = { user: true, pid: true, mount: true, net: true, uts: true, ipc: true, cgroup: true, time: true };
const PATH_ENV = 'PATH=/usr/bin:/bin';

/** A complete Spec like validate() makes for the default host root. */
function makeSpec(over = {}) {
  return {
    argv: ['true'],
    execCandidates: ['/usr/bin/true', '/bin/true'],
    env: [PATH_ENV],
    cwd: '/',
    root: null,
    rootReadOnly: true,
    mounts: [
      { type: 'proc', target: '/proc', readOnly: false },
      { type: 'tmpfs', target: '/tmp', mode: 0o1777, readOnly: false },
    ],
    mountPointsPresent: ['/proc', '/tmp'],
    syntheticRoot: null,
    namespaces: { ...ALL_NS },
    uidMap: [{ inside: 0, outside: 65534, count: 1, useNewidmap: false }],
    gidMap: [{ inside: 0, outside: 65534, count: 1, useNewidmap: false }],
    uid: 0,
    gid: 0,
    hostname: 'brig',
    rlimits: [],
    timeLimitMs: 0,
    keepCaps: [],
    noNewPrivs: true,
    newSession: true,
    init: false,
    nice: null,
    stdio: ['ignore', 'pipe', 'pipe'],
    input: null,
    passFds: [],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    ...over,
  };
}

const run = (over = {}, ctx = {}) => plan(makeSpec(over), { ...CTX, ...ctx });
const idx = (ops, pred) => ops.findIndex(pred);
const lastIdx = (ops, pred) => ops.findLastIndex(pred);
const all = (ops, pred) => ops.map((o, i) => [o, i]).filter(([o]) => pred(o)).map(([, i]) => i);
const isOp = (name) => (o) => o.op === name;

function tempRoot(dirs = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brig-unit-plan-'));
  for (const d of dirs) fs.mkdirSync(path.join(dir, d), { recursive: true });
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------- clone flags

const ALL_FLAGS = Object.values(CLONE).reduce((a, b) => a | b, 0n);
const nsFlag = { user: CLONE.NEWUSER, pid: CLONE.NEWPID, mount: CLONE.NEWNS, net: CLONE.NEWNET, uts: CLONE.NEWUTS, ipc: CLONE.NEWIPC, cgroup: CLONE.NEWCGROUP, time: CLONE.NEWTIME };

test('cloneFlags: every namespace by default', T, () => {
  assert.equal(run().cloneFlags, ALL_FLAGS);
  assert.equal(ALL_FLAGS, 0x10000000n | 0x20000000n | 0x20000n | 0x40000000n | 0x04000000n | 0x08000000n | 0x02000000n | 0x80n);
});
for (const [ns, flag] of Object.entries(nsFlag)) {
  test(`cloneFlags: namespaces.${ns} off clears ${flag.toString(16)}`, T, () => {
    assert.equal(run({ namespaces: { ...ALL_NS, [ns]: false } }).cloneFlags, ALL_FLAGS & ~flag);
  });
}
test('cloneFlags: all namespaces off is 0', T, () => {
  const none = Object.fromEntries(Object.keys(ALL_NS).map((n) => [n, false]));
  const p = run({ namespaces: none, uidMap: [], gidMap: [], mounts: [], mountPointsPresent: [] });
  assert.equal(p.cloneFlags, 0n);
  assert.equal(p.child.filter((o) => ['mount', 'openTree', 'moveMount', 'mountSetattr', 'pivotRoot', 'sethostname', 'loopbackUp', 'setresuid', 'setresgid', 'setgroups'].includes(o.op)).length, 0);
});

// ---------------------------------------------------------------- order contract

function checkOrder(p, label) {
  const ops = p.child;
  const wait = idx(ops, isOp('waitParent'));
  assert.ok(wait > 0, `${label}: waitParent present`);
  assert.equal(all(ops, isOp('waitParent')).length, 1, `${label}: one waitParent`);
  // Before the parent's id maps: private mounts, sources opened, root read-only, hostname...
  const early = [
    idx(ops, (o) => o.op === 'mount' && o.target === '/' && o.flags === (MS.REC | MS.PRIVATE)),
    ...all(ops, isOp('openTree')), ...all(ops, isOp('openReg')),
    idx(ops, (o) => o.op === 'mountSetattr' && o.what === 'make the root read-only'),
    // (With kept capabilities the hostname and loopback wait for the nested namespace.)
    ...(ops.some((o) => o.op === 'nestedUserns' || (o.op === 'unshare' && (o.flags & CLONE.NEWUSER))) ? [] : [...all(ops, isOp('sethostname')), ...all(ops, isOp('loopbackUp'))]),
    ...all(ops, isOp('setsid')), ...all(ops, isOp('newKeyring')),
  ].filter((i) => i >= 0);
  for (const i of early) assert.ok(i < wait, `${label}: ${ops[i].op} (${ops[i].what}) at ${i} before waitParent at ${wait}`);
  assert.equal(idx(ops, (o) => o.op === 'mount' && o.target === '/'), 0, `${label}: making mounts private is the first op`);
  // Ids switch to the inside root right after the wait, before anything is created.
  const firstGid = idx(ops, isOp('setresgid'));
  const firstUid = idx(ops, isOp('setresuid'));
  assert.ok(firstGid > wait && firstUid > firstGid, `${label}: setresgid then setresuid after waitParent`);
  const creating = all(ops, (o) => ['mkdir', 'mkfile', 'symlink'].includes(o.op) || (o.op === 'mount' && ['tmpfs', 'devpts'].includes(o.fstype)));
  assert.ok(creating.length > 0);
  for (const i of creating) assert.ok(i > firstUid, `${label}: ${ops[i].op} ${ops[i].subject} at ${i} after the id switch at ${firstUid}`);
  // A pivoted root (--chroot, synthetic) is entered before any path is made or mounted
  // on, so paths resolve inside it and an image's symlinks cannot point at the host.
  const pivot = idx(ops, isOp('pivotRoot'));
  if (pivot >= 0) {
    // (Only the tmpfs that becomes a synthetic root is mounted before: it is the new root.)
    for (const i of creating.filter((j) => ops[j].target !== ops[pivot].newRoot)) {
      assert.ok(i > pivot, `${label}: ${ops[i].op} ${ops[i].subject} at ${i} after pivot_root at ${pivot}`);
    }
    for (const o of ops.slice(pivot + 1)) {
      const target = o.op === 'mount' || o.op === 'moveMount' ? o.target : o.path;
      if (typeof target === 'string') assert.ok(!target.startsWith(`${ops[pivot].newRoot}/`), `${label}: ${o.op} ${target} after the pivot`);
    }
  }
  // Tail: ... caps after the last id change, pdeathsig after it, no_new_privs, exec last.
  const lastId = Math.max(lastIdx(ops, isOp('setresuid')), lastIdx(ops, isOp('setresgid')), lastIdx(ops, isOp('setgroups')));
  const caps = idx(ops, isOp('caps'));
  const pdeath = idx(ops, isOp('pdeathsig'));
  const nnp = idx(ops, isOp('noNewPrivs'));
  const exec = ops.length - 1;
  assert.ok(['execve', 'execveat'].includes(ops[exec].op), `${label}: exec is last`);
  assert.equal(all(ops, (o) => o.op === 'execve' || o.op === 'execveat').length, 1);
  assert.equal(p.execIndex, exec);
  assert.ok(caps > lastId, `${label}: caps (${caps}) after the last id change (${lastId})`);
  assert.ok(pdeath > lastIdx(ops, isOp('setresuid')), `${label}: pdeathsig after the last setresuid`);
  assert.ok(nnp > pdeath && nnp < exec, `${label}: noNewPrivs after pdeathsig, before exec`);
  // Every mount op is done before rlimits, caps and the rest of the process setup.
  const lastMount = lastIdx(ops, (o) => o.stage === 'mount');
  assert.ok(lastMount < caps, `${label}: mounts before caps`);
  const fdsOp = idx(ops, isOp('fds'));
  assert.ok(fdsOp > idx(ops, isOp('chdir')) && fdsOp < pdeath, `${label}: chdir, fds, pdeathsig`);
}

test('order contract: default host root', T, () => checkOrder(run(), 'default'));

test('order contract: a --chroot root with binds, tmpfs, symlinks, init, rlimits and a non-root user', T, () => {
  const { dir, cleanup } = tempRoot(['tmp', 'proc']);
  try {
    const p = run({
      root: dir,
      init: true,
      uid: 1000,
      gid: 1000,
      uidMap: [{ inside: 0, outside: 100000, count: 1, useNewidmap: false }, { inside: 1000, outside: 65534, count: 1, useNewidmap: false }],
      gidMap: [{ inside: 0, outside: 100000, count: 1, useNewidmap: false }, { inside: 1000, outside: 65534, count: 1, useNewidmap: false }],
      mounts: [
        { type: 'proc', target: '/proc', readOnly: false },
        { type: 'tmpfs', target: '/tmp', mode: 0o1777, readOnly: false },
        { type: 'bind', source: '/etc', target: '/etc', readOnly: true, isDir: true },
        { type: 'symlink', target: '/proc/self/fd', path: '/a/fd' },
      ],
      mountPointsPresent: ['/proc', '/tmp'],
      rlimits: [{ name: 'nofile', soft: 10n, hard: 20n }],
      nice: 5,
    });
    checkOrder(p, 'chroot');
    const ops = p.child;
    // The switch to the target user happens after the mounts and rlimits, before caps.
    const setuids = all(ops, isOp('setresuid'));
    assert.deepEqual(setuids.map((i) => ops[i].uid), [0, 1000]);
    assert.deepEqual(all(ops, isOp('setresgid')).map((i) => ops[i].gid), [0, 1000]);
    assert.ok(setuids[1] > idx(ops, isOp('setrlimit')) && setuids[1] > idx(ops, isOp('nice')));
    assert.ok(setuids[1] > lastIdx(ops, (o) => o.stage === 'mount'));
    assert.ok(idx(ops, isOp('setresgid') && ((o) => o.gid === 1000)) < setuids[1]);
  } finally {
    cleanup();
  }
});

test('order contract: a spec built by validate() for the host root', T, () => {
  const spec = validate({ command: ['true'], mounts: [{ type: 'bind', source: '/etc', target: '/brig-unit-missing/etc', readOnly: true }, { type: 'tmpfs', target: '/scratch-brig-unit' }] }, { stdio: ['ignore', 'pipe', 'pipe'] });
  checkOrder(plan(spec, CTX), 'validated');
});

test('setgroups: dropped when permitted, before the id switch; absent otherwise', T, () => {
  const ops = run().child;
  const sg = idx(ops, isOp('setgroups'));
  assert.deepEqual(ops[sg].gids, []);
  assert.ok(sg > idx(ops, isOp('waitParent')) && sg < idx(ops, isOp('setresgid')));
  assert.equal(idx(run({}, { setgroupsAllowed: false }).child, isOp('setgroups')), -1);
});

test('ids: setresuid keeps capabilities; without a user namespace there is no id switch', T, () => {
  for (const o of run().child.filter(isOp('setresuid'))) assert.equal(o.keepCaps, true);
  const p = run({ namespaces: { ...ALL_NS, user: false }, uidMap: [], gidMap: [], uid: 0, gid: 0 });
  assert.equal(p.child.filter((o) => ['setresuid', 'setresgid', 'setgroups'].includes(o.op)).length, 0);
  assert.equal(p.child.filter(isOp('waitParent')).length, 1);
  // A root caller without a user namespace running as itself: still drop caps etc.
  assert.ok(idx(p.child, isOp('caps')) > 0);
});

test('hostname/loopback/setsid follow their switches; keyring always', T, () => {
  const ops = run({ hostname: 'box' }).child;
  assert.deepEqual(ops.filter(isOp('sethostname')).map((o) => o.name), ['box']);
  assert.equal(ops.filter(isOp('loopbackUp')).length, 1);
  assert.equal(ops.filter(isOp('setsid')).length, 1);
  assert.equal(ops.filter(isOp('newKeyring')).length, 1);
  const off = run({ namespaces: { ...ALL_NS, uts: false, net: false }, newSession: false }).child;
  assert.equal(off.filter((o) => ['sethostname', 'loopbackUp', 'setsid'].includes(o.op)).length, 0);
  assert.equal(off.filter(isOp('newKeyring')).length, 1);
  assert.equal(run({ noNewPrivs: false }).child.filter(isOp('noNewPrivs')).length, 0);
});

// ---------------------------------------------------------------- roots

test('host root: no pivot_root, recursive read-only + nosuid + nodev on / in place', T, () => {
  const ops = run().child;
  assert.equal(idx(ops, isOp('pivotRoot')), -1);
  const ro = ops.filter((o) => o.op === 'mountSetattr' && o.path === '/');
  assert.deepEqual(ro.map(({ op, path: p, reg, set, clear, recursive }) => ({ op, path: p, reg, set, clear, recursive })), [
    { op: 'mountSetattr', path: '/', reg: -1, set: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV, clear: 0, recursive: true },
  ]);
  assert.deepEqual(ops[0], { op: 'mount', source: '', target: '/', fstype: '', flags: MS.REC | MS.PRIVATE, data: '', stage: 'mount', what: 'make mounts private', subject: '/' });
  // Mounts land on the host paths themselves.
  assert.ok(ops.some((o) => o.op === 'mount' && o.fstype === 'tmpfs' && o.target === '/tmp' && o.data === 'mode=1777'));
  assert.ok(ops.some((o) => o.op === 'mount' && o.fstype === 'proc' && o.target === '/proc'));
});

test('host root stays read-only even with rw (rw applies to a --chroot root)', T, () => {
  const ops = run({ rootReadOnly: false }).child;
  const ro = ops.filter((o) => o.op === 'mountSetattr' && o.path === '/');
  assert.equal(ro.length, 1);
  assert.equal(ro[0].set, MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV);
});

test('--chroot root: openTree -> read-only, nosuid, nodev -> moveMount to staging -> pivotRoot(staging) first', T, () => {
  const { dir, cleanup } = tempRoot(['tmp', 'proc']);
  try {
    const p = run({ root: dir }, { staging: '/stage' });
    checkOrder(p, 'chroot');
    const ops = p.child;
    const open = idx(ops, (o) => o.op === 'openTree' && o.path === dir);
    assert.ok(open > 0);
    const reg = ops[open].reg;
    assert.equal(reg, 0, 'the root is the first register');
    const ro = idx(ops, (o) => o.op === 'mountSetattr' && o.reg === reg);
    assert.ok(ro > open);
    assert.deepEqual({ path: ops[ro].path, set: ops[ro].set, clear: ops[ro].clear, recursive: ops[ro].recursive },
      { path: '', set: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV, clear: 0, recursive: true });
    const move = idx(ops, (o) => o.op === 'moveMount' && o.reg === reg);
    assert.ok(move > ro);
    assert.equal(ops[move].target, '/stage');
    assert.ok(move < idx(ops, isOp('waitParent')), 'the root is attached before the wait');
    const pivot = idx(ops, isOp('pivotRoot'));
    assert.equal(ops[pivot].newRoot, '/stage');
    assert.equal(ops.filter(isOp('pivotRoot')).length, 1);
    // After the pivot everything is mounted at its own path inside the new root.
    assert.ok(idx(ops, (o) => o.op === 'moveMount' && o.target === '/dev/null') > pivot);
    // /proc is created detached before the pivot (a user namespace needs a visible procfs
    // to make one) and attached inside the new root after it.
    const procMount = idx(ops, (o) => o.op === 'fsmount' && o.fstype === 'proc');
    assert.ok(procMount >= 0 && procMount < pivot);
    assert.deepEqual(ops[procMount].attrs, MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC);
    assert.ok(idx(ops, (o) => o.op === 'moveMount' && o.reg === ops[procMount].reg && o.target === '/proc') > pivot);
    // rw: writable, but still no suid or device files from the image.
    const rw = run({ root: dir, rootReadOnly: false }).child;
    assert.equal(rw.filter((o) => o.op === 'mountSetattr' && o.what === 'make the root read-only').length, 0);
    assert.deepEqual(rw.filter((o) => o.op === 'mountSetattr' && o.reg === 0).map((o) => o.set), [MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV]);
    assert.equal(rw.filter(isOp('pivotRoot')).length, 1);
  } finally {
    cleanup();
  }
});

test('--chroot root without /dev: the /dev mount point is created before /dev is mounted', T, () => {
  const { dir, cleanup } = tempRoot([]);
  try {
    const spec = validate({ command: ['/bin/true'], root: dir, rw: true }, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ops = plan(spec, CTX).child;
    const devMount = idx(ops, (o) => o.op === 'mount' && o.target === '/dev');
    const devMkdir = idx(ops, (o) => o.op === 'mkdir' && o.path === '/dev');
    assert.ok(devMkdir >= 0 && devMkdir < devMount, 'mkdir /dev before mounting it');
    assert.ok(devMkdir > idx(ops, isOp('pivotRoot')), 'inside the new root');
  } finally {
    cleanup();
  }
});

// ---------------------------------------------------------------- synthetic root

const SYNTH = [
  { name: 'usr', kind: 'dir' },
  { name: 'bin', kind: 'symlink', link: 'usr/bin' },
  { name: 'etc', kind: 'dir' },
  { name: 'proc', kind: 'dir' },
  { name: 'dev', kind: 'dir' },
  { name: 'tmp', kind: 'dir' },
  { name: 'swapfile', kind: 'file' },
];

test('synthetic root: a tmpfs holding read-only binds of the host entries, pivoted into', T, () => {
  const p = run({
    syntheticRoot: SYNTH,
    mounts: [
      { type: 'proc', target: '/proc', readOnly: false },
      { type: 'tmpfs', target: '/tmp', mode: 0o1777, readOnly: false },
      { type: 'tmpfs', target: '/scratch', mode: 0o755, readOnly: false },
    ],
    mountPointsPresent: ['/proc', '/tmp'],
  }, { staging: '/stage' });
  checkOrder(p, 'synthetic');
  const ops = p.child;
  const wait = idx(ops, isOp('waitParent'));
  // Opened early: every entry but symlinks and what brig mounts over (/proc, /dev, a top-level tmpfs).
  const opened = ops.filter((o) => o.op === 'openTree' && !o.path.startsWith('/dev/')).map((o) => o.path);
  assert.deepEqual(opened, ['/usr', '/etc', '/swapfile']);
  const rootTmpfs = idx(ops, (o) => o.op === 'mount' && o.target === '/stage');
  assert.equal(ops[rootTmpfs].fstype, 'tmpfs');
  assert.ok(rootTmpfs > wait);
  const pivot = idx(ops, isOp('pivotRoot'));
  assert.equal(ops[pivot].newRoot, '/stage');
  assert.equal(pivot, rootTmpfs + 1, 'pivot_root into the tmpfs at once');
  for (const name of ['usr', 'etc', 'swapfile']) {
    const open = ops.find((o) => o.op === 'openTree' && o.path === `/${name}`);
    const attr = idx(ops, (o) => o.op === 'mountSetattr' && o.reg === open.reg);
    assert.ok(attr >= 0 && attr < wait, `/${name} made read-only early`);
    assert.deepEqual({ set: ops[attr].set, recursive: ops[attr].recursive }, { set: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV, recursive: true });
    const move = idx(ops, (o) => o.op === 'moveMount' && o.reg === open.reg);
    assert.equal(ops[move].target, `/${name}`);
    const mp = idx(ops, (o) => (o.op === 'mkdir' || o.op === 'mkfile') && o.path === `/${name}`);
    assert.equal(ops[mp].op, name === 'swapfile' ? 'mkfile' : 'mkdir');
    assert.ok(pivot < mp && mp < move);
  }
  assert.deepEqual(ops.filter((o) => o.op === 'symlink' && o.path === '/bin').map((o) => o.target), ['usr/bin']);
  for (const name of ['proc', 'dev', 'tmp']) assert.ok(ops.some((o) => o.op === 'mkdir' && o.path === `/${name}`), `mount point /${name}`);
  // /proc: created detached before the pivot, attached inside the new root after it.
  const procMount = idx(ops, (o) => o.op === 'fsmount' && o.fstype === 'proc');
  assert.ok(procMount >= 0 && procMount < wait);
  assert.ok(idx(ops, (o) => o.op === 'moveMount' && o.reg === ops[procMount].reg && o.target === '/proc') > pivot);
  assert.ok(ops.some((o) => o.op === 'mkdir' && o.path === '/scratch'));
  assert.ok(ops.some((o) => o.op === 'mount' && o.target === '/scratch'));
  // The tmpfs root turns read-only once every mount point exists: the last mount op.
  const rootRo = idx(ops, (o) => o.op === 'mountSetattr' && o.path === '/' && o.what === 'make the root read-only');
  assert.deepEqual({ set: ops[rootRo].set, recursive: ops[rootRo].recursive, reg: ops[rootRo].reg }, { set: MOUNT_ATTR.RDONLY, recursive: false, reg: -1 });
  assert.ok(rootRo > lastIdx(ops, (o) => ['mkdir', 'mkfile', 'symlink'].includes(o.op)));
  assert.equal(rootRo, lastIdx(ops, (o) => o.stage === 'mount' && o.op !== 'unshare' && o.op !== 'writeFile'));
});

test('synthetic root from validate(): a missing top-level mount point', T, () => {
  const spec = validate({ command: ['true'], mounts: [{ type: 'tmpfs', target: '/brig-unit-scratch' }] }, { stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(Array.isArray(spec.syntheticRoot) && spec.syntheticRoot.length > 0);
  const p = plan(spec, CTX);
  checkOrder(p, 'validated synthetic');
  assert.equal(p.child.filter(isOp('pivotRoot')).length, 1);
  assert.ok(p.child.some((o) => o.op === 'mkdir' && o.path === '/brig-unit-scratch'));
});

// ---------------------------------------------------------------- /dev

test('/dev: device nodes opened early, moved late; devpts, ptmx, shm; read-only at the end', T, () => {
  const ops = run().child;
  const wait = idx(ops, isOp('waitParent'));
  const rootRo = idx(ops, (o) => o.what === 'make the root read-only');
  const devMount = idx(ops, (o) => o.op === 'mount' && o.target === '/dev');
  assert.deepEqual(ops[devMount], { op: 'mount', source: 'tmpfs', target: '/dev', fstype: 'tmpfs', flags: MS.NOSUID | MS.NOEXEC, data: 'mode=0755,size=64k', stage: 'mount', what: 'mount /dev', subject: '/dev' });
  assert.ok(devMount > wait);
  assert.deepEqual(DEV_NODES, ['null', 'zero', 'full', 'random', 'urandom', 'tty']);
  for (const n of DEV_NODES) {
    const open = idx(ops, (o) => o.op === 'openTree' && o.path === `/dev/${n}`);
    assert.ok(open > 0 && open < rootRo, `/dev/${n} opened before the root turns nodev`);
    const reg = ops[open].reg;
    const mk = idx(ops, (o) => o.op === 'mkfile' && o.path === `/dev/${n}`);
    const mv = idx(ops, (o) => o.op === 'moveMount' && o.reg === reg);
    assert.equal(ops[mv].target, `/dev/${n}`);
    assert.equal(ops[mk].mode, 0o666);
    assert.ok(devMount < mk && mk < mv, `/dev/${n}: tmpfs, mkfile, move`);
  }
  const regs = ops.filter(isOp('openTree')).map((o) => o.reg);
  assert.equal(new Set(regs).size, regs.length, 'registers are distinct');
  const pts = idx(ops, (o) => o.op === 'mount' && o.fstype === 'devpts');
  assert.equal(ops[pts].target, '/dev/pts');
  assert.match(ops[pts].data, /newinstance/);
  assert.match(ops[pts].data, /ptmxmode=0666/);
  assert.ok(idx(ops, (o) => o.op === 'mkdir' && o.path === '/dev/pts') < pts);
  const ptmx = idx(ops, (o) => o.op === 'symlink' && o.path === '/dev/ptmx');
  assert.equal(ops[ptmx].target, 'pts/ptmx');
  const shm = idx(ops, (o) => o.op === 'mount' && o.target === '/dev/shm');
  assert.equal(ops[shm].fstype, 'tmpfs');
  assert.equal(ops[shm].data, 'mode=1777');
  assert.ok(idx(ops, (o) => o.op === 'mkdir' && o.path === '/dev/shm') < shm);
  const links = Object.fromEntries(ops.filter((o) => o.op === 'symlink' && o.path.startsWith('/dev/')).map((o) => [o.path, o.target]));
  assert.deepEqual(links, { '/dev/ptmx': 'pts/ptmx', '/dev/fd': '/proc/self/fd', '/dev/stdin': '/proc/self/fd/0', '/dev/stdout': '/proc/self/fd/1', '/dev/stderr': '/proc/self/fd/2' });
  const devRo = idx(ops, (o) => o.op === 'mountSetattr' && o.path === '/dev');
  assert.deepEqual({ reg: ops[devRo].reg, set: ops[devRo].set, recursive: ops[devRo].recursive }, { reg: -1, set: MOUNT_ATTR.RDONLY, recursive: false });
  const lastDevOp = lastIdx(ops, (o) => o !== ops[devRo] && (o.subject ?? '').startsWith('/dev') && o.stage === 'mount' && o.op !== 'openTree');
  assert.ok(devRo > lastDevOp, 'read-only /dev after every other /dev op');
});

test('/dev: not built without a mount namespace, nor for a root without /proc', T, () => {
  const none = run({ namespaces: { ...ALL_NS, mount: false }, mounts: [], mountPointsPresent: [] }).child;
  assert.equal(none.filter((o) => o.stage === 'mount').length, 0);
  const { dir, cleanup } = tempRoot(['dev']);
  try {
    const noProc = run({ root: dir, mounts: [], mountPointsPresent: [] }).child;
    assert.equal(noProc.filter((o) => (o.subject ?? '').startsWith('/dev')).length, 0);
    // The host root always gets its /dev, /proc or not.
    assert.ok(run({ mounts: [], mountPointsPresent: [] }).child.some((o) => o.op === 'mount' && o.target === '/dev'));
  } finally {
    cleanup();
  }
});

// ---------------------------------------------------------------- user mounts

test('bind mount: source opened early, readOnly -> mountSetattr on its register before the move', T, () => {
  const ops = run({
    mounts: [
      { type: 'proc', target: '/proc', readOnly: false },
      { type: 'bind', source: '/srv/data', target: '/data', readOnly: true, isDir: true },
      { type: 'bind', source: '/srv/rw', target: '/rw', readOnly: false, isDir: true },
    ],
    mountPointsPresent: ['/proc', '/data', '/rw'],
  }).child;
  const wait = idx(ops, isOp('waitParent'));
  const openRo = idx(ops, (o) => o.op === 'openTree' && o.path === '/srv/data');
  const openRw = idx(ops, (o) => o.op === 'openTree' && o.path === '/srv/rw');
  assert.ok(openRo < wait && openRw < wait);
  const r = ops[openRo].reg;
  const setattr = idx(ops, (o) => o.op === 'mountSetattr' && o.reg === r);
  assert.deepEqual({ path: ops[setattr].path, set: ops[setattr].set, clear: ops[setattr].clear, recursive: ops[setattr].recursive }, { path: '', set: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID, clear: 0, recursive: true });
  const move = idx(ops, (o) => o.op === 'moveMount' && o.reg === r);
  assert.equal(ops[move].target, '/data');
  assert.ok(setattr > wait && setattr < move);
  const r2 = ops[openRw].reg;
  assert.deepEqual(ops.filter((o) => o.op === 'mountSetattr' && o.reg === r2).map((o) => o.set), [MOUNT_ATTR.NOSUID], 'read-write bind: nosuid only');
  assert.equal(ops.find((o) => o.op === 'moveMount' && o.reg === r2).target, '/rw');
  assert.equal(ops.filter((o) => o.op === 'mkdir' && !o.path.startsWith('/dev')).length, 0, 'present targets: no mount point creation');
});

test('mount points: mkdir chain only for targets missing from the root; files get mkfile', T, () => {
  const ops = run({
    mounts: [
      { type: 'proc', target: '/proc', readOnly: false },
      { type: 'bind', source: '/etc', target: '/a/b/c', readOnly: false, isDir: true },
      { type: 'bind', source: '/etc/passwd', target: '/f/passwd', readOnly: false, isDir: false },
      { type: 'tmpfs', target: '/t/u', mode: 0o700, readOnly: false, size: 1024 },
      { type: 'symlink', target: 'x', path: '/s/link' },
      { type: 'tmpfs', target: '/present', mode: 0o755, readOnly: false },
    ],
    mountPointsPresent: ['/proc', '/present'],
  }).child;
  const created = ops.filter((o) => (o.op === 'mkdir' || o.op === 'mkfile') && !o.path.startsWith('/dev')).map((o) => `${o.op} ${o.path}`);
  assert.deepEqual(created, ['mkdir /a', 'mkdir /a/b', 'mkdir /a/b/c', 'mkdir /f', 'mkfile /f/passwd', 'mkdir /t', 'mkdir /t/u', 'mkdir /s']);
  const moveC = idx(ops, (o) => o.op === 'moveMount' && o.target === '/a/b/c');
  assert.ok(idx(ops, (o) => o.op === 'mkdir' && o.path === '/a/b/c') < moveC);
  const tmpfs = ops.find((o) => o.op === 'mount' && o.target === '/t/u');
  assert.deepEqual({ flags: tmpfs.flags, data: tmpfs.data }, { flags: MS.NOSUID | MS.NODEV, data: 'mode=700,size=1024' });
  assert.equal(ops.find((o) => o.op === 'mkfile' && o.path === '/f/passwd').mode, 0o644);
  assert.ok(ops.every((o) => o.op !== 'mkdir' || o.mode === 0o755));
  const link = ops.find((o) => o.op === 'symlink' && o.path === '/s/link');
  assert.equal(link.target, 'x');
  // In mount order: user mounts follow each other as listed.
  const order = ['/a/b/c', '/f/passwd', '/t/u', '/s/link', '/present'].map((t) => idx(ops, (o) => (o.op === 'moveMount' || o.op === 'mount' || o.op === 'symlink') && (o.target === t || o.path === t)));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
});

test('tmpfs and proc options: read-only flags; /proc without a PID namespace is the host /proc bound', T, () => {
  const ops = run({
    mounts: [
      { type: 'proc', target: '/proc', readOnly: true },
      { type: 'tmpfs', target: '/tmp', mode: 0o1777, readOnly: true },
    ],
  }).child;
  const proc = ops.find((o) => o.op === 'mount' && o.fstype === 'proc');
  assert.equal(proc.flags, MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RDONLY);
  assert.ok(idx(ops, (o) => o === proc) < idx(ops, isOp('waitParent')), 'a leading /proc is mounted early');
  assert.equal(ops.find((o) => o.op === 'mount' && o.target === '/tmp').flags, MS.NOSUID | MS.NODEV | MS.RDONLY);
  const nopid = run({ namespaces: { ...ALL_NS, pid: false } }).child;
  assert.equal(nopid.filter((o) => o.op === 'mount' && o.fstype === 'proc').length, 0);
  const open = nopid.find((o) => o.op === 'openTree' && o.path === '/proc');
  assert.ok(open);
  assert.equal(nopid.find((o) => o.op === 'moveMount' && o.reg === open.reg).target, '/proc');
});

// ---------------------------------------------------------------- keepCaps

test('caps: dropped to the kept set; keepCaps null keeps all and locks mounts in a nested user namespace', T, () => {
  const kept = run({ keepCaps: [12, 21] }).child.find(isOp('caps'));
  assert.equal(kept.keep, (1n << 12n) | (1n << 21n));
  assert.equal(run().child.find(isOp('caps')).keep, 0n);
  assert.equal(run().child.filter(isOp('unshare')).length, 0);

  const spec = {
    keepCaps: null, uid: 1000, gid: 2000,
    uidMap: [{ inside: 0, outside: 100000, count: 1, useNewidmap: false }, { inside: 1000, outside: 65534, count: 1, useNewidmap: false }],
    gidMap: [{ inside: 0, outside: 100000, count: 1, useNewidmap: false }, { inside: 2000, outside: 65534, count: 1, useNewidmap: false }],
  };
  // Two map lines: a helper outside writes the identity of both into the nested namespace.
  const ops = run(spec).child;
  const un = idx(ops, isOp('nestedUserns'));
  assert.deepEqual([ops[un].uidMap, ops[un].gidMap], ['0 0 1\n1000 1000 1\n', '0 0 1\n2000 2000 1\n']);
  assert.ok(un > lastIdx(ops, (o) => o.stage === 'mount' && o.op !== 'nestedUserns' && o.op !== 'unshare'), 'after the mounts');
  assert.ok(un < idx(ops, isOp('caps')));
  assert.deepEqual(ops.filter(isOp('setresuid')).map((o) => o.uid), [0, 1000], 'inside root for the setup, then the command uid');
  assert.equal(ops.find(isOp('caps')).keep >= 0xffffffffffn, true);
  // The usual single-line maps: the nested map keeps the same ids.
  const single = run({ keepCaps: null }).child;
  assert.deepEqual(single.filter(isOp('writeFile')).map((o) => o.content), ['0 0 1\n', 'deny', '0 0 1\n']);
  const user = run({ keepCaps: null, uid: 1000, gid: 1000, uidMap: [{ inside: 1000, outside: 1000, count: 1, useNewidmap: false }], gidMap: [{ inside: 1000, outside: 1000, count: 1, useNewidmap: false }] }).child;
  assert.deepEqual(user.filter(isOp('writeFile')).map((o) => o.content), ['1000 1000 1\n', 'deny', '1000 1000 1\n']);
  assert.deepEqual(user.filter(isOp('setresuid')).map((o) => o.uid), [1000]);
  // No user namespace: nothing to nest.
  assert.equal(run({ keepCaps: null, namespaces: { ...ALL_NS, user: false }, uidMap: [], gidMap: [] }).child.filter(isOp('unshare')).length, 0);
});

test('caps: keepCaps null keeps every capability the kernel knows (0..40)', T, () => {
  const keep = run({ keepCaps: null }).child.find(isOp('caps')).keep;
  assert.equal(keep & (1n << 40n), 1n << 40n, 'CAP_CHECKPOINT_RESTORE kept');
});

// ---------------------------------------------------------------- init

test('init: brig-init opened early, execveat with report fd and exec index', T, () => {
  const p = run({ init: true, argv: ['sh', '-c', 'x'], execCandidates: ['/usr/bin/sh', '/bin/sh'], passFds: [5, 9] });
  const ops = p.child;
  const open = idx(ops, isOp('openReg'));
  assert.deepEqual({ path: ops[open].path, flags: ops[open].flags }, { path: '/x/brig-init', flags: O_PATH });
  assert.ok(open < idx(ops, isOp('waitParent')));
  const exec = ops[p.execIndex];
  assert.equal(p.execIndex, ops.length - 1);
  assert.equal(exec.op, 'execveat');
  assert.equal(exec.reg, ops[open].reg);
  const reportFd = 10; // above every passed fd
  assert.deepEqual(exec.argv, ['brig-init', String(reportFd), String(p.execIndex), 'sh', 'sh', '-c', 'x']);
  assert.deepEqual(exec.env, [PATH_ENV]);
  const fds = ops.find(isOp('fds'));
  assert.deepEqual(fds.pairs, [[0, 0], [1, 1], [2, 2], [5, 5], [9, 9], [REPORT_SOCKET, reportFd]]);
  assert.equal(REPORT_SOCKET, -1);
  // A single candidate is handed over as the file; no passed fds -> report fd 3.
  const q = run({ init: true, argv: ['true'], execCandidates: ['/bin/true'] });
  assert.deepEqual(q.child[q.execIndex].argv, ['brig-init', '3', String(q.execIndex), '/bin/true', 'true']);
  assert.deepEqual(q.child.find(isOp('fds')).pairs.at(-1), [-1, 3]);
});

test('no init: execve with every candidate path, argv and env; fds pairs from the context', T, () => {
  const p = run({ argv: ['ls', '-l'], execCandidates: ['/a/ls', '/b/ls'], env: ['A=1', 'B=2'], passFds: [7] }, { stdioFds: [10, 11, 12] });
  const exec = p.child[p.execIndex];
  assert.deepEqual({ op: exec.op, paths: exec.paths, argv: exec.argv, env: exec.env }, { op: 'execve', paths: ['/a/ls', '/b/ls'], argv: ['ls', '-l'], env: ['A=1', 'B=2'] });
  assert.equal(exec.stage, 'exec');
  assert.deepEqual(p.child.find(isOp('fds')).pairs, [[10, 0], [11, 1], [12, 2], [7, 7]]);
  assert.equal(p.child.filter(isOp('openReg')).length, 0);
  assert.deepEqual(p.child.find(isOp('pdeathsig')).signal, SIGKILL);
  assert.equal(p.child.find(isOp('chdir')).path, '/');
  assert.equal(run({ cwd: '/usr/lib' }).child.find(isOp('chdir')).path, '/usr/lib');
});

// ---------------------------------------------------------------- rlimits

test('rlimits: resource numbers match <sys/resource.h>', T, () => {
  assert.deepEqual(RLIMIT_RESOURCES, { cpu: 0, fsize: 1, stack: 3, core: 4, nproc: 6, nofile: 7, memlock: 8, as: 9, msgqueue: 12, rtprio: 14 });
});

const rlimitPlanCases = [
  { rl: { name: 'as', soft: 100n, hard: 200n }, want: { resource: 9, soft: 100n, hard: 200n } },
  { rl: { name: 'nofile', soft: RLIMIT_CURRENT_SOFT, hard: RLIMIT_CURRENT_HARD }, want: { resource: 7, soft: 1024n, hard: 4096n } },
  { rl: { name: 'nofile', soft: RLIMIT_CURRENT_HARD, hard: RLIMIT_CURRENT_HARD }, want: { resource: 7, soft: 4096n, hard: 4096n }, why: 'max' },
  { rl: { name: 'nofile', soft: RLIMIT_CURRENT_SOFT, hard: RLIMIT_CURRENT_SOFT }, want: { resource: 7, soft: 1024n, hard: 1024n }, why: 'def' },
  { rl: { name: 'nofile', soft: 10n, hard: RLIMIT_CURRENT_HARD }, want: { resource: 7, soft: 10n, hard: 4096n } },
  { rl: { name: 'cpu', soft: 2n ** 64n - 1n, hard: 2n ** 64n - 1n }, want: { resource: 0, soft: 2n ** 64n - 1n, hard: 2n ** 64n - 1n } },
];
for (const c of rlimitPlanCases) {
  test(`rlimits: ${c.rl.name} ${c.rl.soft}/${c.rl.hard}${c.why ? ` (${c.why})` : ''}`, T, () => {
    const ops = run({ rlimits: [c.rl] }).child;
    const r = ops.filter(isOp('setrlimit'));
    assert.equal(r.length, 1);
    assert.deepEqual({ resource: r[0].resource, soft: r[0].soft, hard: r[0].hard }, c.want);
    assert.ok(idx(ops, isOp('setrlimit')) > lastIdx(ops, (o) => o.stage === 'mount'));
    assert.ok(idx(ops, isOp('setrlimit')) < idx(ops, isOp('caps')));
  });
}

test('rlimits: one op per limit, in spec order; nice after them', T, () => {
  const ops = run({ rlimits: [{ name: 'cpu', soft: 1n, hard: 2n }, { name: 'nproc', soft: 3n, hard: 3n }, { name: 'rtprio', soft: 0n, hard: 0n }], nice: -3 }).child;
  assert.deepEqual(ops.filter(isOp('setrlimit')).map((o) => o.resource), [0, 6, 14]);
  const nice = idx(ops, isOp('nice'));
  assert.equal(ops[nice].value, -3);
  assert.ok(nice > lastIdx(ops, isOp('setrlimit')));
  assert.equal(run().child.filter(isOp('nice')).length, 0);
});

// ---------------------------------------------------------------- metadata

test('every op has a stage and a what string; the exec op names the file', T, () => {
  const STAGES = new Set(['validate', 'clone', 'idmap', 'mount', 'process', 'exec', 'runtime', 'cgroup', 'net', 'seccomp']);
  const { dir, cleanup } = tempRoot(['tmp', 'proc']);
  try {
    const plans = [
      run(),
      run({ init: true, keepCaps: null, nice: 1, rlimits: [{ name: 'as', soft: 1n, hard: 1n }], passFds: [4] }),
      run({ root: dir, mounts: [{ type: 'proc', target: '/proc', readOnly: false }, { type: 'bind', source: '/etc', target: '/x/y', readOnly: true, isDir: true }, { type: 'symlink', target: 'a', path: '/l' }], mountPointsPresent: ['/proc'] }),
      run({ namespaces: { ...ALL_NS, user: false, net: false }, uidMap: [], gidMap: [] }),
    ];
    for (const p of plans) {
      for (const [i, o] of p.child.entries()) {
        assert.ok(STAGES.has(o.stage), `op ${i} (${o.op}) has stage ${o.stage}`);
        assert.equal(typeof o.what, 'string', `op ${i} (${o.op}) has a what`);
        assert.ok(o.what.length > 0);
        if (o.subject !== undefined) assert.equal(typeof o.subject, 'string');
      }
      assert.equal(p.child[p.execIndex].stage, 'exec');
    }
    assert.equal(run().child.at(-1).subject, 'true', 'several candidates: the command name');
    assert.equal(run({ execCandidates: ['/bin/true'] }).child.at(-1).subject, '/bin/true');
  } finally {
    cleanup();
  }
});

test('plan() is pure: the same spec gives the same plan and the spec is not changed', T, () => {
  const spec = makeSpec({ init: true, rlimits: [{ name: 'nofile', soft: RLIMIT_CURRENT_SOFT, hard: 5n }] });
  const copy = structuredClone(spec);
  const a = plan(spec, CTX);
  const b = plan(spec, CTX);
  assert.deepEqual(a, b);
  assert.deepEqual(spec, copy);
});

test('kept capabilities with a wide map: one nestedUserns op with identity maps, then net/UTS/IPC', T, () => {
  const spec = {
    keepCaps: null,
    uidMap: [{ inside: 0, outside: 65534, count: 1, useNewidmap: false }, { inside: 1, outside: 300000, count: 1000, useNewidmap: false }],
    gidMap: [{ inside: 0, outside: 65534, count: 1, useNewidmap: false }],
  };
  const p = run(spec);
  checkOrder(p, 'wide keepCaps');
  const ops = p.child;
  const nested = ops.filter(isOp('nestedUserns'));
  assert.equal(nested.length, 1);
  assert.equal(nested[0].uidMap, '0 0 1\n1 1 1000\n');
  assert.equal(nested[0].gidMap, '0 0 1\n');
  assert.equal(ops.filter((o) => o.op === 'writeFile').length, 0, 'no self-written maps');
  const i = idx(ops, isOp('nestedUserns'));
  assert.ok(i > lastIdx(ops, (o) => o.stage === 'mount' && o.op !== 'nestedUserns' && o.op !== 'unshare'), 'after every mount');
  const late = idx(ops, (o) => o.op === 'unshare' && o.flags === (CLONE.NEWNET | CLONE.NEWUTS | CLONE.NEWIPC));
  assert.ok(late > i, 'net, UTS and IPC created inside the nested namespace');
  assert.equal(p.cloneFlags & CLONE.NEWNET, 0n);
});

test('a seccomp program is installed last: after no_new_privs, right before exec', T, () => {
  const program = new Uint8Array(8);
  const ops = run({ seccomp: { program, flags: 2 } }).child;
  const sc = idx(ops, isOp('seccomp'));
  assert.ok(sc > idx(ops, isOp('noNewPrivs')));
  assert.equal(sc, ops.length - 2);
  assert.equal(ops[sc].program, program);
  assert.equal(ops[sc].flags, 2);
  assert.equal(ops[sc].stage, 'seccomp');
  assert.equal(run().child.filter(isOp('seccomp')).length, 0);
});

test('with --init the seccomp program goes to brig-init, which installs it for the command', T, () => {
  const program = Uint8Array.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]);
  const ops = run({ init: true, seccomp: { program, flags: 2 } }).child;
  assert.equal(ops.filter(isOp('seccomp')).length, 0, 'not in the child: it would bind init');
  const exec = ops.find(isOp('execveat'));
  assert.deepEqual(exec.argv.slice(0, 2), ['brig-init', '--seccomp=2:06000000' + '0000ff7f']);
});
