// Identity inside the sandbox: id maps (the default for a root caller, explicit maps, the
// root directory's owner), what the mapped ids can touch on the host, capabilities,
// locked read-only mounts when capabilities are kept, and no_new_privs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, BrigError } from '../../dist/index.js';
import { brig, isRoot, mountTable, prefix, skipUnlessSandbox, staticProbeBinary, tempDir } from '../helpers/util.js';

const skip = await skipUnlessSandbox();
const P = prefix(fileURLToPath(import.meta.url));
const T = { timeout: 30000 };
const sh = (script, extra = {}) => run({ command: ['/bin/sh', '-c', script], ...extra });
/** Id map text with the kernel's column padding collapsed. */
const mapLines = (s) => s.split('\n').map((l) => l.trim().split(/\s+/).join(' ')).filter(Boolean);
/** The Cap* lines of /proc/self/status as BigInts. */
function caps(status) {
  const out = {};
  for (const m of status.matchAll(/^Cap(\w+):\s+([0-9a-f]+)$/gm)) out[m[1]] = BigInt(`0x${m[2]}`);
  return out;
}
const lastCap = Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
const ALL_CAPS = (1n << BigInt(lastCap + 1)) - 1n;
const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const rootSkip = skip ?? (isRoot ? undefined : 'these tests are about a root caller');

/** Assert an EINVALIDOPTION naming `option` and that nothing was mounted. */
async function rejectsOption(promise, option) {
  const before = mountTable();
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof BrigError, `expected a BrigError, got ${e}`);
    assert.equal(e.code, 'EINVALIDOPTION', e.message);
    assert.equal(e.stage, 'validate');
    assert.equal(e.option, option, e.message);
    return true;
  });
  assert.equal(mountTable(), before);
}

/** A root built from nothing: the static probe at /probe, /proc and /dev. */
function probeRoot(name) {
  const t = tempDir(`${P}-${name}`);
  fs.copyFileSync(staticProbeBinary(), path.join(t.dir, 'probe'));
  fs.chmodSync(path.join(t.dir, 'probe'), 0o755);
  for (const d of ['proc', 'dev']) fs.mkdirSync(path.join(t.dir, d));
  return t;
}

describe('the default id map for a root caller', { skip: rootSkip }, () => {
  test('inside uid/gid 0 is 65534 outside', T, async () => {
    const r = await sh('id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; cat /proc/self/setgroups');
    const [uid, gid, ...rest] = r.stdout.split('\n');
    assert.equal(uid, '0');
    assert.equal(gid, '0');
    assert.deepEqual(mapLines(rest.slice(0, 2).join('\n')), ['0 65534 1', '0 65534 1']);
    const c = brig(['run', '--', 'cat', '/proc/self/uid_map']);
    assert.deepEqual(mapLines(c.stdout), ['0 65534 1']);
  });

  test('files the sandbox creates in a writable bind belong to 65534 on the host', T, async () => {
    const t = tempDir(`${P}-owner`);
    try {
      fs.chmodSync(t.dir, 0o777);
      const r = brig(['run', '-B', `${t.dir}:/tmp/out`, '--', 'sh', '-c', 'echo x > /tmp/out/file && mkdir /tmp/out/dir && stat -c "%u %g" /tmp/out/file']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '0 0\n');
      for (const f of ['file', 'dir']) {
        const st = fs.statSync(path.join(t.dir, f));
        assert.equal(st.uid, 65534, f);
        assert.equal(st.gid, 65534, f);
      }
    } finally {
      t.cleanup();
    }
  });

  test("host root's private files stay unreadable, even when bound in", T, async () => {
    const t = tempDir(`${P}-secret`);
    try {
      const secret = path.join(t.dir, 'secret');
      fs.writeFileSync(secret, 'host secret\n', { mode: 0o600 });
      fs.chownSync(secret, 0, 0);
      fs.chmodSync(secret, 0o600);
      const r = await sh('cat /tmp/s/secret 2>&1; echo rc=$?; stat -c "%u %a" /tmp/s/secret', {
        mounts: [{ type: 'bind', source: t.dir, target: '/tmp/s', readOnly: true }],
      });
      assert.doesNotMatch(r.stdout, /host secret/);
      assert.match(r.stdout, /Permission denied\nrc=1\n/);
      // Host root is not mapped: it shows as the overflow uid.
      assert.match(r.stdout, /^65534 600$/m);
      const c = brig(['run', '-R', `${t.dir}:/tmp/s`, '--', 'cat', '/tmp/s/secret']);
      assert.notEqual(c.status, 0);
      assert.doesNotMatch(c.stdout, /host secret/);
      assert.match(c.stderr, /Permission denied/);
      if (fs.existsSync('/etc/shadow') && (fs.statSync('/etc/shadow').mode & 0o004) === 0) {
        const s = await sh('cat /etc/shadow >/dev/null 2>&1; echo rc=$?');
        assert.equal(s.stdout, 'rc=1\n');
      }
    } finally {
      t.cleanup();
    }
  });
});

describe('explicit id maps', { skip }, () => {
  test('uidMap/gidMap: the first inside id is the one the command runs as', T, async () => {
    const t = tempDir(`${P}-map`);
    try {
      fs.chmodSync(t.dir, 0o777);
      const r = await sh('id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/o/f', {
        uidMap: [{ inside: 1000, outside: 5000, count: 1 }],
        gidMap: [{ inside: 1000, outside: 5000 }],
        mounts: [{ type: 'bind', source: t.dir, target: '/tmp/o' }],
      });
      assert.equal(r.exitCode, 0, r.stderr);
      const [uid, gid, ...maps] = r.stdout.split('\n');
      assert.equal(uid, '1000');
      assert.equal(gid, '1000');
      assert.deepEqual(mapLines(maps.join('\n')), ['1000 5000 1', '1000 5000 1']);
      const st = fs.statSync(path.join(t.dir, 'f'));
      assert.equal(st.uid, 5000);
      assert.equal(st.gid, 5000);
    } finally {
      t.cleanup();
    }
  });

  test('-u and -g on the command line, with ranges', T, async () => {
    const r = brig(['run', '-u', '1000:5000:1', '-g', '1000:5000:1', '--', 'sh', '-c', 'id -u; id -g; cat /proc/self/uid_map']);
    assert.equal(r.status, 0, r.stderr);
    const [uid, gid, ...maps] = r.stdout.split('\n');
    assert.equal(uid, '1000');
    assert.equal(gid, '1000');
    assert.deepEqual(mapLines(maps.join('\n')), ['1000 5000 1']);
    const range = brig(['run', '-u', '0:100000:65536', '-u', '70000:70000:1', '-g', '0:100000:65536', '--', 'sh', '-c', 'id -u; cat /proc/self/uid_map /proc/self/gid_map']);
    assert.equal(range.status, 0, range.stderr);
    assert.deepEqual(mapLines(range.stdout), ['0', '0 100000 65536', '70000 70000 1', '0 100000 65536']);
  });

  test('malformed or overlapping maps are EINVALIDOPTION naming the option', T, async () => {
    for (const [flag, value, pattern] of [
      ['-u', 'a:b', /-u/], ['-u', '1:2:3:4', /-u takes inside\[:outside\[:count\]\]/], ['-g', '1:2:3:4', /-g/],
      ['-u', '0:1000:0', /-u/], ['-u', '0::1', /-u/], ['-g', 'x', /-g/],
    ]) {
      const before = mountTable();
      const c = brig(['run', flag, value, '--', 'true']);
      assert.equal(c.status, 255, `${flag} ${value}`);
      assert.match(c.stderr, /^brig: validate: /m, `${flag} ${value}: ${c.stderr}`);
      assert.match(c.stderr, pattern, `${flag} ${value}: ${c.stderr}`);
      assert.equal(mountTable(), before);
    }
    const overlap = brig(['run', '-u', '0:100000:10', '-u', '5:200000:1', '--', 'true']);
    assert.equal(overlap.status, 255);
    assert.match(overlap.stderr, /overlaps/);
    await rejectsOption(run({ command: ['true'], uidMap: [{ inside: 0, outside: 100000, count: 10 }, { inside: 5, outside: 200000 }] }), 'uidMap[1]');
    await rejectsOption(run({ command: ['true'], gidMap: [{ inside: 0, outside: 100000, count: 10 }, { inside: 50, outside: 100005, count: 10 }] }), 'gidMap[1]');
    await rejectsOption(run({ command: ['true'], uidMap: [{ inside: 'a', outside: 1 }] }), 'uidMap[0].inside');
    await rejectsOption(run({ command: ['true'], gidMap: [{ inside: 0, outside: -1 }] }), 'gidMap[0].outside');
    await rejectsOption(run({ command: ['true'], uidMap: [{ inside: 0, count: 0 }] }), 'uidMap[0].count');
    await rejectsOption(run({ command: ['true'], uidMap: [{ inside: 0, out: 1 }] }), 'uidMap[0].out');
    await rejectsOption(run({ command: ['true'], uidMap: [{ inside: 0 }], namespaces: { user: false } }), 'uidMap');
  });

  test('rootOwnerIsRoot maps the root directory owner to 0 inside', { ...T, skip: rootSkip }, async () => {
    const t = probeRoot('owner-root');
    try {
      fs.chownSync(t.dir, 4242, 4242);
      const r = await run({ root: t.dir, rootOwnerIsRoot: true, command: ['/probe', 'cat', '/proc/self/uid_map'] });
      assert.deepEqual(mapLines(r.stdout), ['0 4242 1']);
      const g = await run({ root: t.dir, rootOwnerIsRoot: true, command: ['/probe', 'cat', '/proc/self/gid_map'] });
      assert.deepEqual(mapLines(g.stdout), ['0 4242 1']);
      const id = await run({ root: t.dir, rootOwnerIsRoot: true, command: ['/probe', 'id'] });
      assert.equal(id.stdout, 'uid=0 gid=0\n');
      // As the owner, the sandbox's root can write to the (rw) root without a chmod.
      const c = brig(['run', '--chroot', t.dir, '--rw', '--root-owner-is-root', '--', '/probe', 'write', '/made-inside']);
      assert.equal(c.status, 0, c.stderr);
      assert.equal(c.stdout, 'ok\n');
      const st = fs.statSync(path.join(t.dir, 'made-inside'));
      assert.equal(st.uid, 4242);
      assert.equal(st.gid, 4242);
      // Without the flag the root owner is just another unmapped uid.
      const plain = await run({ root: t.dir, rw: true, command: ['/probe', 'write', '/not-owner'] });
      assert.equal(plain.stdout, 'error: Permission denied\n');
    } finally {
      t.cleanup();
    }
  });
});

describe('capabilities', { skip }, () => {
  test('all capabilities are dropped by default', T, async () => {
    const r = await sh('grep ^Cap /proc/self/status');
    const c = caps(r.stdout);
    for (const k of ['Inh', 'Prm', 'Eff', 'Bnd', 'Amb']) assert.equal(c[k], 0n, `Cap${k}`);
    // And the sandbox's root really cannot do privileged things.
    const m = await sh('mount -t tmpfs none /tmp 2>&1; echo rc=$?; hostname other 2>&1; echo rc=$?');
    assert.match(m.stdout, /rc=(32|1)\n.*rc=1\n$/s);
  });

  test('caps keeps exactly the named capabilities', T, async () => {
    const r = await sh('grep ^Cap /proc/self/status', { caps: ['CAP_NET_ADMIN'] });
    const c = caps(r.stdout);
    assert.equal(c.Eff, 1n << CAP_NET_ADMIN);
    assert.equal(c.Prm, 1n << CAP_NET_ADMIN);
    assert.equal(c.Bnd, 1n << CAP_NET_ADMIN);
    const cli = brig(['run', '--cap', 'net_admin', '--cap', 'CAP_SYS_ADMIN', '--', 'grep', '^Cap', '/proc/self/status']);
    assert.equal(cli.status, 0, cli.stderr);
    const cc = caps(cli.stdout);
    assert.equal(cc.Eff, (1n << CAP_NET_ADMIN) | (1n << CAP_SYS_ADMIN));
    assert.equal(cc.Bnd, (1n << CAP_NET_ADMIN) | (1n << CAP_SYS_ADMIN));
    // The kept capability works: CAP_NET_ADMIN can change the sandbox's own loopback.
    const use = await sh('ip link set lo mtu 1400 2>&1; echo rc=$?; ip -o link show lo', { caps: ['CAP_NET_ADMIN'] });
    assert.match(use.stdout, /^rc=0\n.*mtu 1400/s);
    await rejectsOption(run({ command: ['true'], caps: ['CAP_NO_SUCH'] }), 'caps[0]');
  });

  test('keepCaps keeps every capability', T, async () => {
    const r = await sh('grep ^Cap /proc/self/status; id -u', { keepCaps: true });
    const c = caps(r.stdout);
    assert.equal(c.Eff, ALL_CAPS);
    assert.equal(c.Bnd, ALL_CAPS);
    assert.match(r.stdout, /^0$/m);
    const cli = brig(['run', '--keep-caps', '--', 'grep', '^CapEff', '/proc/self/status']);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(caps(cli.stdout).Eff, ALL_CAPS);
  });
});

/** A submount of the host's root that brig neither replaces nor covers, e.g. /sys/fs/cgroup. */
function hostSubmount() {
  const own = ['/proc', '/dev', '/home', '/root', '/run', '/tmp', '/var/tmp'];
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[4])
    .find((p) => p !== '/' && !/\\/.test(p) && !own.some((d) => p === d || p.startsWith(`${d}/`)));
}

describe('read-only mounts stay locked when capabilities are kept', { skip }, () => {
  const sub = hostSubmount();
  const attempts = (extra = '') => [
    'grep ^CapEff /proc/self/status',
    'mount -o remount,rw / 2>/dev/null; echo root=$?',
    'mount -o remount,rw,bind / 2>/dev/null; echo rootbind=$?',
    sub && `mount -o remount,rw,bind '${sub}' 2>/dev/null; echo sub=$?`,
    'umount /proc 2>/dev/null; echo umountproc=$?',
    'umount -l /tmp 2>/dev/null; echo umounttmp=$?',
    extra,
    'awk \'$5 == "/" { print "rootopts", $6 }\' /proc/self/mountinfo',
  ].filter(Boolean).join('; ');

  function assertLocked(stdout) {
    const c = caps(stdout);
    assert.ok(c.Eff & (1n << CAP_SYS_ADMIN), `CAP_SYS_ADMIN is not effective, the check would prove nothing: ${stdout}`);
    for (const k of ['root', 'rootbind', 'sub', 'umountproc', 'umounttmp']) {
      assert.doesNotMatch(stdout, new RegExp(`^${k}=0$`, 'm'), `${k} succeeded:\n${stdout}`);
    }
    assert.match(stdout, /^rootopts ro,/m);
  }

  test('--keep-caps: the root, its submounts and brig\'s own mounts cannot be remounted or unmounted', T, async () => {
    const r = brig(['run', '--keep-caps', '--', 'sh', '-c', attempts()]);
    assert.equal(r.status, 0, r.stderr);
    assertLocked(r.stdout);
  });

  test('--keep-caps: a read-only bind cannot be remounted writable', T, async () => {
    const t = tempDir(`${P}-lockbind`);
    try {
      fs.chmodSync(t.dir, 0o777);
      const r = await sh(attempts('mount -o remount,rw,bind /tmp/ro 2>/dev/null; echo robind=$?; touch /tmp/ro/x 2>/dev/null; echo touch=$?'), {
        keepCaps: true, mounts: [{ type: 'bind', source: t.dir, target: '/tmp/ro', readOnly: true }],
      });
      assertLocked(r.stdout);
      assert.match(r.stdout, /^robind=[1-9]/m);
      assert.match(r.stdout, /^touch=1$/m);
      assert.deepEqual(fs.readdirSync(t.dir), []);
    } finally {
      t.cleanup();
    }
  });

  test('caps: [CAP_SYS_ADMIN] cannot remount the root writable or uncover the host under brig\'s mounts', T, async () => {
    // Only commands that change the sandbox's own mount namespace: nothing is written.
    const r = await sh(attempts(), { caps: ['CAP_SYS_ADMIN'] });
    assertLocked(r.stdout);
  });
});

describe('no_new_privs', { skip }, () => {
  test('set by default, off with noNewPrivs: false / --disable-no-new-privs', T, async () => {
    assert.equal((await sh('grep ^NoNewPrivs /proc/self/status')).stdout, 'NoNewPrivs:\t1\n');
    assert.equal((await sh('grep ^NoNewPrivs /proc/self/status', { noNewPrivs: false })).stdout, 'NoNewPrivs:\t0\n');
    const c = brig(['run', '--disable-no-new-privs', '--', 'grep', '^NoNewPrivs', '/proc/self/status']);
    assert.equal(c.stdout, 'NoNewPrivs:\t0\n', c.stderr);
    const d = brig(['run', '--', 'grep', '^NoNewPrivs', '/proc/self/status']);
    assert.equal(d.stdout, 'NoNewPrivs:\t1\n', d.stderr);
  });
});

describe('kept capabilities with a wide id map', { skip }, () => {
  test('every mapped id stays usable, capabilities act on the sandbox, mounts stay locked', T, async () => {
    const r = await run({
      command: ['/bin/sh', '-c', [
        'cat /proc/self/uid_map',
        'grep CapEff /proc/self/status',
        'mount -o remount,rw / 2>/dev/null && echo remounted || echo locked',
        'hostname inside-name && hostname',
        // A mapped id other than 0 works for files (tmpfs /tmp) and for setuid.
        'touch /tmp/f && chown 42:42 /tmp/f && stat -c %u:%g /tmp/f',
      ].join('; ')],
      keepCaps: true,
      uidMap: [{ inside: 0, outside: 65534, count: 1 }, { inside: 1, outside: 400000, count: 100 }],
      gidMap: [{ inside: 0, outside: 65534, count: 1 }, { inside: 1, outside: 400000, count: 100 }],
    });
    const out = r.stdout.split('\n');
    assert.deepEqual(out.slice(0, 2).map((l) => l.trim().split(/\s+/).join(' ')), ['0 0 1', '1 1 100']);
    assert.doesNotMatch(out[2], /CapEff:\s+0{16}/);
    assert.deepEqual(out.slice(3, 6), ['locked', 'inside-name', '42:42']);
  });
});
