// The sandbox's file system view: the host's root read-only (submounts too), private
// tmpfs directories, a fresh /proc, a minimal /dev, bind/tmpfs/symlink mounts, and roots
// built from nothing with --chroot. Every error case also checks that the host's mount
// table is unchanged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, BrigError } from '../../dist/index.js';
import { brig, mountTable, prefix, skipUnlessSandbox, staticProbeBinary, tempDir } from '../helpers/util.js';

const skip = await skipUnlessSandbox();
const P = prefix(fileURLToPath(import.meta.url));
const T = { timeout: 30000 };
const sh = (script, extra = {}) => run({ command: ['/bin/sh', '-c', script], ...extra });
const lines = (s) => s.split('\n').filter(Boolean);

/** Directories brig replaces or provides itself under the default root. */
const BRIG_OWN = ['/proc', '/dev', '/home', '/root', '/run', '/tmp', '/var/tmp'];

/** Fields of the host's mountinfo lines. */
function hostMounts() {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((l) => {
    const f = l.split(' ');
    const sep = f.indexOf('-');
    return { target: f[4].replace(/\\040/g, ' '), opts: f[5].split(','), fstype: f[sep + 1] };
  });
}

/** A writable (on the host) submount that brig does not replace, e.g. /sys/fs/cgroup. */
function hostWritableSubmount() {
  const under = (p, d) => p === d || p.startsWith(`${d}/`);
  const candidates = hostMounts().filter((m) => m.target !== '/' && m.opts.includes('rw')
    && !BRIG_OWN.some((d) => under(m.target, d))
    && ['tmpfs', 'ext4', 'ext3', 'ext2', 'xfs', 'btrfs', 'vfat', 'overlay', 'cgroup', 'cgroup2'].includes(m.fstype)
    && fs.statSync(m.target, { throwIfNoEntry: false })?.isDirectory());
  return candidates[0]?.target;
}

/** Assert that `promise` rejects with a BrigError matching `fields`, and the host's mounts
 *  stayed as they were. */
async function rejectsSetup(promise, fields, before) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof BrigError, `expected a BrigError, got ${e}`);
    for (const [k, v] of Object.entries(fields)) {
      if (v instanceof RegExp) assert.match(String(e[k]), v, `${k}: ${e.message}`);
      else assert.equal(e[k], v, `${k}: ${e.message}`);
    }
    return true;
  });
  assert.equal(mountTable(), before, 'the host mount table changed');
}

/** A root built from nothing: the static probe at /probe and the given empty directories. */
function probeRoot(name, dirs = ['proc', 'dev', 'tmp']) {
  const t = tempDir(`${P}-${name}`);
  fs.copyFileSync(staticProbeBinary(), path.join(t.dir, 'probe'));
  fs.chmodSync(path.join(t.dir, 'probe'), 0o755);
  for (const d of dirs) fs.mkdirSync(path.join(t.dir, d));
  return t;
}

describe('the default root', { skip }, () => {
  test('the host root is read-only: writes fail with EROFS at /, /usr and /etc', T, async () => {
    const name = `${P}-rofs`;
    const dirs = ['/', '/usr', '/etc'];
    try {
      const r = await sh(dirs.map((d) => `touch ${path.join(d, name)} 2>&1; echo "${d} rc=$?"`).join('; '));
      assert.equal(r.exitCode, 0, r.stderr);
      for (const d of dirs) {
        // EROFS, not a permission problem: the mount itself is read-only.
        assert.match(r.stdout, new RegExp(`Read-only file system\n${d} rc=1$`, 'm'), r.stdout);
        assert.equal(fs.existsSync(path.join(d, name)), false, `${d}/${name} appeared on the host`);
      }
      const info = await sh('awk \'$5 == "/" { print $6 }\' /proc/self/mountinfo');
      assert.match(info.stdout, /^ro,/);
      assert.match(info.stdout, /nosuid/);
      assert.match(info.stdout, /nodev/);
    } finally {
      for (const d of dirs) fs.rmSync(path.join(d, name), { force: true });
    }
  });

  test('submounts of the host root are read-only too', T, async (t) => {
    const sub = hostWritableSubmount();
    if (!sub) return t.skip('the host has no writable submount outside the directories brig replaces');
    const name = path.join(sub, `${P}-sub`);
    try {
      const r = await sh(`touch '${name}' 2>&1; echo rc=$?; mkdir '${name}.d' 2>&1; echo rc=$?`);
      assert.match(r.stdout, /Read-only file system[\s\S]*rc=1[\s\S]*Read-only file system[\s\S]*rc=1/, `${sub}: ${r.stdout}`);
      const info = await sh(`awk '$5 == "${sub}" { print $6 }' /proc/self/mountinfo`);
      assert.match(info.stdout, /^ro\b/, `${sub} mount options inside: ${info.stdout}`);
      assert.equal(fs.existsSync(name), false);
      assert.equal(fs.existsSync(`${name}.d`), false);
    } finally {
      fs.rmSync(name, { force: true });
      fs.rmSync(`${name}.d`, { force: true, recursive: true });
    }
  });

  test('/home, /root, /run, /tmp and /var/tmp are empty private tmpfs', T, async () => {
    const dirs = ['/home', '/root', '/run', '/tmp', '/var/tmp'].filter((d) => fs.existsSync(d));
    const planted = [];
    try {
      for (const d of dirs) {
        const f = path.join(d, `${P}-hidden`);
        fs.writeFileSync(f, 'host secret\n');
        planted.push(f);
      }
      const r = await sh(dirs.map((d) => `echo "${d}: $(ls -A ${d} | wc -l) $(stat -f -c %T ${d})"`).join('; ')
        + `; cat ${planted.join(' ')} 2>/dev/null; echo cat=$?`);
      assert.equal(r.exitCode, 0, r.stderr);
      for (const d of dirs) assert.match(r.stdout, new RegExp(`^${d}: 0 tmpfs$`, 'm'), r.stdout);
      assert.doesNotMatch(r.stdout, /host secret/);
      assert.match(r.stdout, /^cat=1$/m);
    } finally {
      for (const f of planted) fs.rmSync(f, { force: true });
    }
  });

  test('writing inside /tmp works and does not reach the host', T, async () => {
    const f = `/tmp/${P}-inside`;
    try {
      const r = await sh(`echo written > ${f} && cat ${f} && mkdir -p /var/tmp/${P}/a && echo ok`);
      assert.equal(r.stdout, 'written\nok\n', r.stderr);
      assert.equal(fs.existsSync(f), false);
      assert.equal(fs.existsSync(`/var/tmp/${P}`), false);
    } finally {
      fs.rmSync(f, { force: true });
      fs.rmSync(`/var/tmp/${P}`, { force: true, recursive: true });
    }
  });

  test('each sandbox gets its own /tmp', T, async () => {
    const a = await sh(`echo one > /tmp/${P}-own; ls -A /tmp`);
    const b = await sh('ls -A /tmp');
    assert.equal(a.stdout, `${P}-own\n`);
    assert.equal(b.stdout, '');
  });
});

describe('/proc', { skip }, () => {
  test('a fresh /proc shows only the sandbox: the command is PID 1', T, async () => {
    const r = await sh('cat /proc/1/cmdline | tr "\\0" " "; echo; readlink /proc/1/exe; ls /proc | grep -E "^[0-9]+$" | tr "\\n" " "; echo; readlink /proc/self');
    const [cmdline, exe, pids, self] = r.stdout.split('\n');
    assert.match(cmdline, /^\/bin\/sh -c cat \/proc\/1\/cmdline/);
    assert.match(exe, /\/(dash|bash|sh)$/);
    const list = pids.trim().split(' ').map(Number);
    assert.ok(list.includes(1));
    assert.ok(list.every((p) => p < 100), `unexpected pids inside: ${pids}`);
    assert.ok(!list.includes(process.pid) || process.pid < 100);
    assert.ok(Number(self) < 100, `/proc/self is ${self}`);
  });

  test("the host's pids are not visible in /proc", T, async () => {
    const r = await sh(`test -e /proc/${process.pid} && echo visible || echo hidden; for p in /proc/[0-9]*; do echo "\${p#/proc/} $(cat $p/comm)"; done`);
    const [first, ...procs] = lines(r.stdout);
    assert.equal(first, 'hidden');
    // Only the shell and its own children: no node (this test), no host init.
    assert.ok(procs.length >= 1 && procs.length <= 4, r.stdout);
    for (const l of procs) assert.match(l, /^\d+ (sh|dash|bash|cat)$/, r.stdout);
  });

  test('proc: false (--disable-proc) leaves /proc empty and read-only', T, async () => {
    const script = `ls -A /proc | wc -l; stat -f -c %T /proc; touch /proc/${P} 2>&1; echo rc=$?`;
    const r = await sh(script, { proc: false });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^0\ntmpfs\n.*Read-only file system\nrc=1\n$/s);
    const c = brig(['run', '--disable-proc', '--', 'sh', '-c', script]);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /^0\ntmpfs\n/);
    // With a fresh /proc there are two proc mounts: the host's copy underneath, and ours.
    const withProc = await sh('awk \'$5 == "/proc"\' /proc/self/mountinfo | wc -l');
    assert.equal(withProc.stdout.trim(), '2');
  });

  test("proc: false does not expose the host's processes", T, async () => {
    const r = await sh(`test -e /proc/${process.pid} && echo visible || echo hidden; ls /proc | grep -cE "^[0-9]+$"`, { proc: false });
    assert.equal(r.stdout, 'hidden\n0\n');
    const c = brig(['run', '--disable-proc', '--', 'sh', '-c', `cat /proc/${process.pid}/cmdline /proc/1/cmdline 2>/dev/null | tr "\\0" " "`]);
    assert.equal(c.stdout, '');
  });
});

describe('/dev', { skip }, () => {
  test('/dev is minimal: exactly the harmless nodes, pts, shm and the fd links', T, async () => {
    const r = await sh('ls -A /dev');
    assert.deepEqual(lines(r.stdout).sort(),
      ['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero']);
    const links = await sh('for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done');
    assert.equal(links.stdout, 'fd /proc/self/fd\nstdin /proc/self/fd/0\nstdout /proc/self/fd/1\nstderr /proc/self/fd/2\nptmx pts/ptmx\n');
  });

  test('/dev/null is writable, /dev/zero readable, /dev/shm writable, /dev itself read-only', T, async () => {
    const r = await sh([
      'echo data > /dev/null; echo null=$?',
      'echo zero=$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")',
      'echo urandom=$(head -c 16 /dev/urandom | wc -c)',
      `echo shm > /dev/shm/${P} && echo shm=$(cat /dev/shm/${P})`,
      `touch /dev/${P} 2>&1; echo new=$?`,
      `echo x > /dev/full 2>/dev/null; echo full=$?`,
    ].join('; '));
    assert.match(r.stdout, /^null=0$/m);
    assert.match(r.stdout, /^zero=00000000$/m);
    assert.match(r.stdout, /^urandom=16$/m);
    assert.match(r.stdout, /^shm=shm$/m);
    assert.match(r.stdout, /Read-only file system\nnew=1$/m);
    assert.match(r.stdout, /^full=[1-9]/m);
    assert.equal(fs.existsSync(`/dev/shm/${P}`), false, '/dev/shm is not private');
  });

  test('/dev/pts is a private devpts instance', T, async () => {
    const r = await sh('ls -A /dev/pts');
    assert.deepEqual(lines(r.stdout), ['ptmx']);
  });
});

describe('bind mounts', { skip }, () => {
  test('-R binds read-only: readable, writes fail with EROFS', T, async () => {
    const t = tempDir(`${P}-ro`);
    try {
      fs.writeFileSync(path.join(t.dir, 'file'), 'content\n');
      fs.chmodSync(t.dir, 0o777);
      const r = brig(['run', '-R', `${t.dir}:/tmp/ro`, '--', 'sh', '-c', 'cat /tmp/ro/file; touch /tmp/ro/new 2>&1; echo rc=$?']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^content\n.*Read-only file system\nrc=1\n$/s);
      assert.deepEqual(fs.readdirSync(t.dir), ['file']);
      // The library spelling.
      const l = await sh(`cat /tmp/${P}-lib/file; touch /tmp/${P}-lib/new 2>&1; echo rc=$?`, {
        mounts: [{ type: 'bind', source: t.dir, target: `/tmp/${P}-lib`, readOnly: true }],
      });
      assert.match(l.stdout, /^content\n.*Read-only file system\nrc=1\n$/s);
      assert.deepEqual(fs.readdirSync(t.dir), ['file']);
    } finally {
      t.cleanup();
    }
  });

  test('-B binds writable: files written inside appear on the host', T, async () => {
    const t = tempDir(`${P}-rw`);
    try {
      fs.chmodSync(t.dir, 0o777);
      const r = brig(['run', '-B', `${t.dir}:/tmp/rw`, '--', 'sh', '-c', 'echo from-inside > /tmp/rw/out && echo ok']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'ok\n');
      assert.equal(fs.readFileSync(path.join(t.dir, 'out'), 'utf8'), 'from-inside\n');
    } finally {
      t.cleanup();
    }
  });

  test('a file can be bound onto a file, its mount point created in /tmp', T, async () => {
    const t = tempDir(`${P}-file`);
    try {
      const src = path.join(t.dir, 'config');
      fs.writeFileSync(src, 'key=value\n');
      fs.chmodSync(src, 0o666); // so the write reaches the mount's read-only check
      const r = await sh('cat /tmp/deep/dir/config; test -f /tmp/deep/dir/config && echo regular; (echo x >> /tmp/deep/dir/config) 2>&1; echo rc=$?', {
        mounts: [{ type: 'bind', source: src, target: '/tmp/deep/dir/config', readOnly: true }],
      });
      assert.match(r.stdout, /^key=value\nregular\n.*Read-only file system\nrc=[12]\n$/s);
      assert.equal(fs.readFileSync(src, 'utf8'), 'key=value\n');
    } finally {
      t.cleanup();
    }
  });

  test('binds into a tmpfs mounted earlier get their mount points created', T, async () => {
    const t = tempDir(`${P}-intmpfs`);
    try {
      fs.writeFileSync(path.join(t.dir, 'f'), 'in tmpfs\n');
      const target = `/tmp/${P}-scratch`;
      const r = await sh(`cat ${target}/a/b/f; ls -A ${target}`, {
        mounts: [{ type: 'tmpfs', target }, { type: 'bind', source: t.dir, target: `${target}/a/b`, readOnly: true }],
      });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.stdout, 'in tmpfs\na\n');
    } finally {
      t.cleanup();
    }
  });

  test('a bind at its own path under a private directory (the default target) works', T, async () => {
    const t = tempDir(`${P}-samepath`);
    try {
      fs.writeFileSync(path.join(t.dir, 'file'), 'same path\n');
      const before = mountTable();
      try {
        const r = await sh(`cat ${t.dir}/file`, { mounts: [{ type: 'bind', source: t.dir, readOnly: true }] });
        assert.equal(r.stdout, 'same path\n');
        const c = brig(['run', '-R', t.dir, '--', 'cat', `${t.dir}/file`]);
        assert.equal(c.stdout, 'same path\n', c.stderr);
      } finally {
        assert.equal(mountTable(), before);
      }
    } finally {
      t.cleanup();
    }
  });

  test('a missing bind source is a setup error naming the path', T, async () => {
    const before = mountTable();
    const missing = `/tmp/${P}-does-not-exist`;
    await rejectsSetup(run({ command: ['true'], mounts: [{ type: 'bind', source: missing, target: '/tmp/x' }] }),
      { code: 'ESETUP', stage: 'mount', path: missing, errnoName: 'ENOENT' }, before);
    const c = brig(['run', '-R', `${missing}:/tmp/x`, '--', 'true']);
    assert.equal(c.status, 255);
    assert.match(c.stderr, new RegExp(`^brig: mount: .*\\(${missing}\\): no such file or directory`, 'm'));
    assert.equal(mountTable(), before);
  });

  test('a mount point missing in the read-only root fails with EROFS and a hint', T, async () => {
    const before = mountTable();
    // Deep in the host's tree: a missing top-level entry may be provided another way.
    const target = `/usr/${P}-no-such-dir`;
    await rejectsSetup(run({ command: ['true'], mounts: [{ type: 'bind', source: '/etc', target, readOnly: true }] }),
      { code: 'ESETUP', stage: 'mount', path: target, errnoName: 'EROFS', hint: /tmpfs/ }, before);
    await rejectsSetup(run({ command: ['true'], mounts: [{ type: 'tmpfs', target }] }),
      { code: 'ESETUP', stage: 'mount', path: target, errnoName: 'EROFS' }, before);
    const c = brig(['run', '-T', target, '--', 'true']);
    assert.equal(c.status, 255);
    assert.match(c.stderr, /read-only file system/);
    assert.equal(fs.existsSync(target), false);
    assert.equal(mountTable(), before);
  });
});

describe('tmpfs and symlink mounts', { skip }, () => {
  test('-T with size and mode: mode applied, writes beyond the size fail with ENOSPC', T, async () => {
    const target = `/tmp/${P}-small`;
    const r = brig(['run', '-T', `${target}:size=1M,mode=700`, '--', 'sh', '-c',
      `stat -c '%a %F' ${target}; stat -f -c %T ${target}; dd if=/dev/zero of=${target}/f bs=1M count=2 2>&1; echo rc=$?`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^700 directory\ntmpfs\n/);
    assert.match(r.stdout, /No space left on device/);
    assert.match(r.stdout, /rc=1\n$/);
  });

  test('a read-only tmpfs refuses writes', T, async () => {
    const target = `/tmp/${P}-rotmpfs`;
    const r = await sh(`touch ${target}/x 2>&1; echo rc=$?`, { mounts: [{ type: 'tmpfs', target, readOnly: true }] });
    assert.match(r.stdout, /Read-only file system\nrc=1\n$/);
  });

  test('symlinks are created inside a tmpfs', T, async () => {
    const me = `/tmp/${P}-me`;
    const r = await sh(`readlink ${me}; cat ${me}/comm`, { mounts: [{ type: 'symlink', target: '/proc/self', path: me }] });
    assert.equal(r.stdout, '/proc/self\ncat\n');
    assert.equal(fs.existsSync(me), false, 'the link appeared on the host');
    const c = brig(['run', '-s', `/etc/hostname:/tmp/${P}-link`, '--', 'readlink', `/tmp/${P}-link`]);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(c.stdout, '/etc/hostname\n');
  });

  test('a symlink in the read-only root is refused with EROFS', T, async () => {
    const before = mountTable();
    const link = `/usr/${P}-link`;
    await rejectsSetup(run({ command: ['true'], mounts: [{ type: 'symlink', target: '/etc', path: link }] }),
      { code: 'ESETUP', stage: 'mount', path: link, errnoName: 'EROFS' }, before);
    assert.equal(fs.existsSync(link), false);
  });
});

describe('--chroot with a root built from nothing', { skip }, () => {
  test('the root holds only what was put there; ids are 0 inside', T, async () => {
    const t = probeRoot('chroot-ls');
    try {
      const r = await run({ root: t.dir, command: ['/probe', 'ls', '/'] });
      assert.deepEqual(lines(r.stdout).sort(), ['dev', 'probe', 'proc', 'tmp']);
      const id = await run({ root: t.dir, command: ['/probe', 'id'] });
      assert.equal(id.stdout, 'uid=0 gid=0\n');
      const dev = await run({ root: t.dir, command: ['/probe', 'ls', '/dev'] });
      assert.deepEqual(lines(dev.stdout).sort(),
        ['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero']);
      const proc = await run({ root: t.dir, command: ['/probe', 'cat', '/proc/1/cmdline'] });
      assert.equal(proc.stdout, '/probe\0cat\0/proc/1/cmdline\0');
      const c = brig(['run', '--chroot', t.dir, '--', '/probe', 'ls', '/']);
      assert.equal(c.status, 0, c.stderr);
      assert.deepEqual(lines(c.stdout).sort(), ['dev', 'probe', 'proc', 'tmp']);
    } finally {
      t.cleanup();
    }
  });

  test('the chroot is read-only by default; /tmp inside it is a private tmpfs', T, async () => {
    const t = probeRoot('chroot-ro');
    try {
      fs.chmodSync(t.dir, 0o777);
      fs.chmodSync(path.join(t.dir, 'tmp'), 0o1777);
      const r = await run({ root: t.dir, command: ['/probe', 'write', '/x'] });
      assert.equal(r.exitCode, 1);
      assert.equal(r.stdout, 'error: Read-only file system\n');
      assert.equal(fs.existsSync(path.join(t.dir, 'x')), false);
      const tmp = await run({ root: t.dir, command: ['/probe', 'write', '/tmp/y'] });
      assert.equal(tmp.stdout, 'ok\n');
      assert.deepEqual(fs.readdirSync(path.join(t.dir, 'tmp')), []);
    } finally {
      t.cleanup();
    }
  });

  test('rw: true leaves the chroot writable; files land on the host owned by the inside root', T, async () => {
    const t = probeRoot('chroot-rw');
    try {
      fs.chmodSync(t.dir, 0o777);
      const r = await run({ root: t.dir, rw: true, command: ['/probe', 'write', '/x'] });
      assert.equal(r.stdout, 'ok\n');
      const st = fs.statSync(path.join(t.dir, 'x'));
      assert.equal(st.uid, 65534);
      const c = brig(['run', '--chroot', t.dir, '--rw', '--', '/probe', 'write', '/y']);
      assert.equal(c.status, 0, c.stderr);
      assert.ok(fs.existsSync(path.join(t.dir, 'y')));
    } finally {
      t.cleanup();
    }
  });

  test('cwd is honoured inside the chroot; a missing cwd is a setup error', T, async () => {
    const t = probeRoot('chroot-cwd');
    try {
      const r = await run({ root: t.dir, cwd: '/tmp', command: ['/probe', 'cwd'] });
      assert.equal(r.stdout, '/tmp\n');
      const c = brig(['run', '--chroot', t.dir, '-D', '/dev', '--', '/probe', 'cwd']);
      assert.equal(c.stdout, '/dev\n', c.stderr);
      const before = mountTable();
      await rejectsSetup(run({ root: t.dir, cwd: '/nowhere', command: ['/probe', 'cwd'] }),
        { code: 'ESETUP', stage: 'process', path: '/nowhere', errnoName: 'ENOENT' }, before);
    } finally {
      t.cleanup();
    }
  });

  test('a nonexistent chroot is an error naming the path', T, async () => {
    const before = mountTable();
    const missing = `/tmp/${P}-no-root`;
    await rejectsSetup(run({ root: missing, command: ['/probe', 'id'] }),
      { code: 'ESETUP', stage: 'mount', path: missing, errnoName: 'ENOENT' }, before);
    const c = brig(['run', '--chroot', missing, '--', '/probe', 'id']);
    assert.equal(c.status, 255);
    assert.match(c.stderr, new RegExp(`^brig: mount: root does not exist or is unreachable \\(${missing}\\): no such file or directory`, 'm'));
    const t = tempDir(`${P}-file-root`);
    try {
      const file = path.join(t.dir, 'file');
      fs.writeFileSync(file, '');
      await rejectsSetup(run({ root: file, command: ['/probe', 'id'] }), { code: 'ESETUP', path: file, errnoName: 'ENOTDIR' }, before);
    } finally {
      t.cleanup();
    }
  });

  test('a command missing from the chroot is ENOTFOUND', T, async () => {
    const t = probeRoot('chroot-notfound');
    try {
      const before = mountTable();
      await rejectsSetup(run({ root: t.dir, command: ['sh', '-c', 'true'] }), { code: 'ENOTFOUND', stage: 'exec' }, before);
    } finally {
      t.cleanup();
    }
  });

  test('a read-only chroot without /proc fails with EROFS and a hint', T, async () => {
    const t = probeRoot('chroot-noproc', ['dev']);
    try {
      const before = mountTable();
      await rejectsSetup(run({ root: t.dir, command: ['/probe', 'id'] }),
        { code: 'ESETUP', stage: 'mount', path: '/proc', errnoName: 'EROFS', hint: /mount point/ }, before);
      // Without the fresh /proc nothing needs it.
      const r = await run({ root: t.dir, proc: false, command: ['/probe', 'ls', '/'] });
      assert.deepEqual(lines(r.stdout).sort(), ['dev', 'probe']);
    } finally {
      t.cleanup();
    }
  });

  test('a chroot without /dev fails naming /dev', T, async () => {
    const t = probeRoot('chroot-nodev', ['proc']);
    try {
      const before = mountTable();
      await rejectsSetup(run({ root: t.dir, command: ['/probe', 'id'] }),
        { code: 'ESETUP', stage: 'mount', path: '/dev' }, before);
      const c = brig(['run', '--chroot', t.dir, '--', '/probe', 'id']);
      assert.equal(c.status, 255);
      assert.match(c.stderr, /^brig: mount: .*\(\/dev\)/m);
    } finally {
      t.cleanup();
    }
  });

  test('a chroot without /dev: EROFS and a hint when read-only, /dev created when rw (like /proc)', T, async () => {
    const t = probeRoot('chroot-nodev-hint', ['proc']);
    try {
      const before = mountTable();
      await rejectsSetup(run({ root: t.dir, command: ['/probe', 'id'] }),
        { code: 'ESETUP', stage: 'mount', path: '/dev', errnoName: 'EROFS', hint: /mount point/ }, before);
      fs.chmodSync(t.dir, 0o777);
      const r = await run({ root: t.dir, rw: true, command: ['/probe', 'ls', '/dev'] });
      assert.ok(lines(r.stdout).includes('null'));
    } finally {
      t.cleanup();
    }
  });
});

describe('root images cannot reach the host through their symlinks', { skip }, () => {
  /** An image with the static probe as /probe, plus `extra(dir)` to shape it. */
  function image(t, extra) {
    const { dir, cleanup } = tempDir(`${P}-img`);
    t.after(cleanup);
    fs.copyFileSync(staticProbeBinary(), path.join(dir, 'probe'));
    fs.chmodSync(path.join(dir, 'probe'), 0o755);
    for (const d of ['proc', 'dev']) fs.mkdirSync(path.join(dir, d));
    extra(dir);
    return dir;
  }

  test('mount points and symlinks resolve inside the image, never on the host', T, async (t) => {
    const { dir: hostDir, cleanup } = tempDir(`${P}-host`);
    t.after(cleanup);
    fs.chmodSync(hostDir, 0o777);
    // An absolute symlink in the image naming a host directory brig could write to.
    const img = image(t, (d) => fs.symlinkSync(hostDir, path.join(d, 'data')));
    const r = await run({
      command: ['/probe', 'ls', '/'], root: img, rw: true,
      mounts: [{ type: 'tmpfs', target: '/data/sub' }, { type: 'symlink', target: '/etc/shadow', path: '/data/planted-link' }],
    }).catch((e) => e);
    // Inside the image the link leads nowhere, so the mounts fail; the host stays untouched.
    assert.ok(r instanceof BrigError, `expected a setup error, got ${JSON.stringify(r)}`);
    assert.equal(r.stage, 'mount');
    assert.deepEqual(fs.readdirSync(hostDir), []);
  });

  test('a private /tmp that is a symlink in the image is still covered', T, async (t) => {
    const img = image(t, (d) => {
      fs.mkdirSync(path.join(d, 'var', 'tmp-real'), { recursive: true });
      fs.writeFileSync(path.join(d, 'var', 'tmp-real', 'left-in-image'), 'x');
      fs.symlinkSync('var/tmp-real', path.join(d, 'tmp'));
    });
    const r = await run({ command: ['/probe', 'ls', '/tmp/'], root: img });
    assert.equal(r.exitCode, 0, r.stdout);
    assert.equal(r.stdout, '', 'the tmpfs hides what the image had there');
  });
});
