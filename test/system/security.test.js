// Isolation from the host: session keyring, terminal injection (TIOCSTI), host processes,
// network, hostname, IPC and the namespaces themselves, and mounts that stay locked
// against a nested user namespace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn as spawnChild } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../dist/index.js';
import { native } from '../../dist/native.js';
import { brigBin, prefix, skipUnlessSandbox, tempDir, waitFor } from '../helpers/util.js';

const skip = await skipUnlessSandbox();
const P = prefix(fileURLToPath(import.meta.url));
const T = { timeout: 30000 };
const sh = (script, extra = {}) => run({ command: ['/bin/sh', '-c', script], ...extra });
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p));
const noPython = skip ?? (PYTHON ? undefined : 'no python3 in /usr/bin or /usr/local/bin');
const has = (cmd) => ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].some((d) => fs.existsSync(path.join(d, cmd)));
const lines = (s) => s.split('\n').filter(Boolean);

/** Wait for a child process we started to exit; returns its exit code. */
function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

// A static helper for the session keyring, run both outside and (bound in) inside.
const KEY_HELPER = String.raw`
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#define KEY_SPEC_SESSION_KEYRING -3
static const char *ename(int e) {
  switch (e) { case EACCES: return "EACCES"; case ENOKEY: return "ENOKEY"; case EKEYREVOKED: return "EKEYREVOKED";
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; default: return "EOTHER"; }
}
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (!strcmp(argv[1], "id")) {            /* the session keyring's serial */
    long id = syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, KEY_SPEC_SESSION_KEYRING, 0);
    if (id < 0) return printf("error %s\n", ename(errno)), 1;
    printf("%ld\n", id);
  } else if (!strcmp(argv[1], "search") && argc > 2) {   /* find a user key by description */
    long id = syscall(SYS_keyctl, 10 /* SEARCH */, KEY_SPEC_SESSION_KEYRING, "user", argv[2], 0);
    if (id < 0) return printf("search error %s\n", ename(errno)), 1;
    printf("search found %ld\n", id);
  } else if (!strcmp(argv[1], "read") && argc > 2) {     /* read a key's payload by serial */
    char buf[256];
    long n = syscall(SYS_keyctl, 11 /* READ */, atol(argv[2]), buf, sizeof buf - 1);
    if (n < 0) return printf("read error %s\n", ename(errno)), 1;
    buf[n < (long)sizeof buf - 1 ? n : (long)sizeof buf - 1] = 0;
    printf("read ok %s\n", buf);
  } else if (!strcmp(argv[1], "setup") && argc > 4) {    /* setup DESC -- CMD...: new session keyring holding a key, then exec CMD */
    long ring = syscall(SYS_keyctl, 1 /* JOIN_SESSION_KEYRING */, NULL);
    long key = syscall(SYS_add_key, "user", argv[2], "brig-secret", 11, KEY_SPEC_SESSION_KEYRING);
    if (ring < 0 || key < 0) return printf("setup error %s\n", ename(errno)), 1;
    printf("session %ld key %ld\n", ring, key);
    fflush(stdout);
    char keystr[32];
    snprintf(keystr, sizeof keystr, "%ld", key);
    for (int i = 4; i < argc; i++) if (!strcmp(argv[i], "@KEY@")) argv[i] = keystr;
    execv(argv[4], argv + 4);
    return printf("exec error %s\n", strerror(errno)), 1;
  } else {
    return 2;
  }
  return 0;
}
`;

describe('session keyring', { skip }, () => {
  let dir;
  let helper;
  before(() => {
    dir = tempDir(`${P}-keyring`);
    fs.writeFileSync(path.join(dir.dir, 'keyhelper.c'), KEY_HELPER);
    helper = path.join(dir.dir, 'keyhelper');
    execFileSync('gcc', ['-static', '-O1', '-o', helper, path.join(dir.dir, 'keyhelper.c')]);
  });
  after(() => dir?.cleanup());
  const bind = () => ({ type: 'bind', source: helper, target: '/tmp/keyhelper', readOnly: true });

  test('the sandbox has a session keyring of its own', T, async () => {
    const outside = execFileSync(helper, ['id'], { encoding: 'utf8' }).trim();
    assert.match(outside, /^\d+$/);
    const r = await run({ command: ['/tmp/keyhelper', 'id'], mounts: [bind()] });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.match(r.stdout.trim(), /^\d+$/);
    assert.notEqual(r.stdout.trim(), outside);
    // Two sandboxes do not share one either.
    const again = await run({ command: ['/tmp/keyhelper', 'id'], mounts: [bind()] });
    assert.notEqual(again.stdout.trim(), r.stdout.trim());
  });

  test("a key in brig's session keyring is out of the sandbox's reach", T, async () => {
    const desc = `${P}-key`;
    // Control: a process started from the keyring's owner finds and reads the key.
    const control = execFileSync(helper, ['setup', desc, '--', helper, 'search', desc], { encoding: 'utf8' });
    const [, key] = control.match(/^session \d+ key (\d+)$/m) ?? [];
    assert.ok(key, control);
    assert.match(control, new RegExp(`^search found ${key}$`, 'm'));
    const controlRead = execFileSync(helper, ['setup', desc, '--', helper, 'read', '@KEY@'], { encoding: 'utf8' });
    assert.match(controlRead, /^read ok brig-secret$/m);
    // brig started with that keyring as its session keyring: the sandbox neither finds
    // the key in its session keyring nor reads it by serial.
    const out = execFileSync(helper, ['setup', desc, '--', process.execPath, brigBin, 'run', '-R', `${helper}:/tmp/keyhelper`, '--',
      '/bin/sh', '-c', `/tmp/keyhelper search ${desc}; /tmp/keyhelper read @KEY@; /tmp/keyhelper id`], { encoding: 'utf8', timeout: 20000 });
    const [, session, inKey] = out.match(/^session (\d+) key (\d+)$/m) ?? [];
    assert.ok(inKey, out);
    assert.match(out, /^search error ENOKEY$/m);
    assert.match(out, /^read error (EACCES|ENOKEY)$/m);
    assert.doesNotMatch(out, /brig-secret/);
    const inside = lines(out).at(-1);
    assert.match(inside, /^\d+$/);
    assert.notEqual(inside, session);
  });
});

describe('terminal injection (TIOCSTI)', { skip: noPython }, () => {
  const SCRIPT = [
    'import fcntl, termios, errno, os',
    'print("leader" if os.getsid(0) == os.getpid() else "member")',
    'try:',
    '    fcntl.ioctl(0, termios.TIOCSTI, b"Z")',
    '    print("injected")',
    'except OSError as e:',
    '    print("refused", errno.errorcode.get(e.errno, e.errno))',
    'print("end")',
  ].join('\n');

  /** Everything the master side has to read once `end` arrived (or time ran out). */
  async function readMaster(master) {
    let out = '';
    const buf = Buffer.alloc(4096);
    await waitFor(() => {
      for (;;) {
        try {
          const n = fs.readSync(master, buf, 0, buf.length, null);
          if (n === 0) return true;
          out += buf.toString('utf8', 0, n);
        } catch (e) {
          if (e.code === 'EAGAIN') return /end\r?\n/.test(out);
          if (e.code === 'EIO') return true;
          throw e;
        }
      }
    }, 10000);
    return out;
  }

  test('the sandbox cannot push input into the terminal it was given', T, async () => {
    const [master, slave] = native().openpty();
    try {
      const r = await run({ command: [PYTHON, '-c', SCRIPT], stdin: slave, stdout: slave, stderr: slave });
      assert.equal(r.exitCode, 0);
      const out = await readMaster(master);
      assert.match(out, /^leader\r?$/m, out);
      assert.match(out, /^refused (EPERM|EIO)\r?$/m, out);
      assert.doesNotMatch(out, /injected|Z/, out);
    } finally {
      fs.closeSync(master);
      fs.closeSync(slave);
    }
  });

  test("the caller's controlling terminal is safe; --skip-setsid shows the check is real", T, async (t) => {
    if (!has('setsid')) return t.skip('no setsid(1)');
    // brig runs in a session whose controlling terminal is our pty, like in a shell.
    const inTerminal = async (flags) => {
      const [master, slave] = native().openpty();
      const child = spawnChild('setsid', ['-c', process.execPath, brigBin, 'run', ...flags, '--', PYTHON, '-c', SCRIPT], { stdio: [slave, slave, slave] });
      try {
        const code = await exited(child);
        return { code, out: await readMaster(master) };
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        fs.closeSync(master);
        fs.closeSync(slave);
      }
    };
    const safe = await inTerminal([]);
    assert.equal(safe.code, 0, safe.out);
    assert.match(safe.out, /^leader\r?$/m, safe.out);
    assert.match(safe.out, /^refused (EPERM|EIO)\r?$/m, safe.out);
    assert.doesNotMatch(safe.out, /injected|Z/, safe.out);
    // Control: staying in brig's session, the same command does inject (when the kernel
    // still allows TIOCSTI at all).
    if (fs.readFileSync('/proc/sys/dev/tty/legacy_tiocsti', { encoding: 'utf8', flag: 'r' }).trim() !== '1') return;
    const unsafe = await inTerminal(['--skip-setsid']);
    assert.match(unsafe.out, /^member\r?$/m, unsafe.out);
    assert.match(unsafe.out, /injected\r?$/m, unsafe.out);
    assert.match(unsafe.out, /Z/, unsafe.out);
  });
});

describe('host processes', { skip }, () => {
  test("the host's processes are invisible and cannot be signalled", T, async (t) => {
    const sleeper = spawnChild('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pids = [process.pid, sleeper.pid];
      if (pids.some((p) => p < 100)) return t.skip('a host pid is small enough to exist inside');
      const r = await sh(pids.map((p) => `test -e /proc/${p} && echo "${p} visible"; kill -0 ${p} 2>/dev/null && echo "${p} signalable"; kill -9 ${p} 2>/dev/null && echo "${p} killed"`).join('; ') + '; echo done');
      assert.equal(r.stdout, 'done\n');
      assert.equal(sleeper.exitCode, null);
      assert.equal(sleeper.signalCode, null);
      process.kill(sleeper.pid, 0); // still alive
    } finally {
      sleeper.kill('SIGKILL');
      await exited(sleeper);
    }
  });
});

describe('network', { skip }, () => {
  test('only loopback exists inside, and it is up', T, async () => {
    const r = await sh('tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "');
    assert.deepEqual(lines(r.stdout), ['lo']);
    if (has('ip')) {
      const ip = await sh('ip -o link');
      assert.equal(lines(ip.stdout).length, 1, ip.stdout);
      assert.match(ip.stdout, /^1: lo: <[^>]*\bUP\b[^>]*>/);
    }
  });

  test('loopback works inside the sandbox', { ...T, skip: noPython }, async () => {
    const script = [
      'import socket',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)',
      'c = socket.create_connection(s.getsockname(), timeout=5); a, _ = s.accept()',
      'c.sendall(b"ping"); print(a.recv(4).decode())',
    ].join('\n');
    const r = await run({ command: [PYTHON, '-c', script] });
    assert.equal(r.stdout, 'ping\n', r.stderr);
  });

  test("the host's 127.0.0.1 and abstract unix sockets are unreachable", { ...T, skip: noPython }, async () => {
    let accepted = 0;
    const tcp = net.createServer((s) => { accepted++; s.destroy(); });
    const abstract = net.createServer((s) => { accepted++; s.destroy(); });
    const abstractName = `\0${P}-abstract`;
    await new Promise((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    await new Promise((resolve) => abstract.listen(abstractName, resolve));
    try {
      const { port } = tcp.address();
      const script = [
        'import socket, errno',
        'def attempt(family, addr):',
        '    s = socket.socket(family, socket.SOCK_STREAM); s.settimeout(5)',
        '    try:',
        '        s.connect(addr); return "connected"',
        '    except OSError as e:',
        '        return errno.errorcode.get(e.errno, str(e))',
        `print("tcp", attempt(socket.AF_INET, ("127.0.0.1", ${port})))`,
        // Node binds abstract names padded with NULs to the whole sun_path.
        `print("abstract", attempt(socket.AF_UNIX, b"\\0${P}-abstract".ljust(108, b"\\0")))`,
      ].join('\n');
      // Control: the same script reaches both from the host.
      const control = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' });
      assert.equal(control, 'tcp connected\nabstract connected\n');
      await waitFor(() => accepted === 2);
      const r = await run({ command: [PYTHON, '-c', script] });
      assert.equal(r.stdout, 'tcp ECONNREFUSED\nabstract ECONNREFUSED\n', r.stderr);
      assert.equal(accepted, 2, 'a connection from the sandbox arrived');
    } finally {
      await new Promise((resolve) => tcp.close(resolve));
      await new Promise((resolve) => abstract.close(resolve));
    }
  });
});

describe('hostname and namespaces', { skip }, () => {
  test("the hostname is brig by default, or the one asked for; the host's is untouched", T, async () => {
    const host = os.hostname();
    assert.equal((await run({ command: ['hostname'] })).stdout, 'brig\n');
    assert.equal((await run({ command: ['hostname'], hostname: `${P}-h`.slice(0, 64) })).stdout, `${`${P}-h`.slice(0, 64)}\n`);
    // Even a sandbox allowed to change it only changes its own.
    const r = await sh('hostname changed-inside && hostname', { caps: ['CAP_SYS_ADMIN'] });
    assert.equal(r.stdout, 'changed-inside\n', r.stderr);
    assert.equal(os.hostname(), host);
    assert.equal(fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim(), host);
  });

  test('every namespace differs from the caller\'s', T, async () => {
    const names = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time', 'time_for_children', 'user', 'uts']
      .filter((n) => fs.existsSync(`/proc/self/ns/${n}`));
    const r = await sh(names.map((n) => `echo "${n} $(readlink /proc/self/ns/${n})"`).join('; '));
    const inside = Object.fromEntries(lines(r.stdout).map((l) => l.split(' ')));
    for (const n of names) {
      const outside = fs.readlinkSync(`/proc/self/ns/${n}`);
      assert.match(inside[n], /^\w+:\[\d+\]$/, `${n}: ${r.stdout}`);
      assert.notEqual(inside[n], outside, `${n} is shared with the host`);
    }
    // Switching one off shares exactly that one.
    const host = os.hostname();
    const shared = await sh('readlink /proc/self/ns/uts; hostname', { namespaces: { uts: false } });
    assert.equal(shared.stdout, `${fs.readlinkSync('/proc/self/ns/uts')}\n${host}\n`);
    assert.equal(os.hostname(), host, 'the host hostname changed');
  });

  test("the host's System V IPC objects are invisible", { ...T, skip: skip ?? (has('ipcmk') ? undefined : 'no ipcmk') }, async () => {
    const made = execFileSync('ipcmk', ['-M', '4096'], { encoding: 'utf8' });
    const id = made.match(/(\d+)\s*$/)?.[1];
    assert.ok(id, made);
    try {
      assert.match(fs.readFileSync('/proc/sysvipc/shm', 'utf8'), new RegExp(`^\\s*-?\\d+\\s+${id}\\s`, 'm'));
      const r = await sh('tail -n +2 /proc/sysvipc/shm | wc -l; tail -n +2 /proc/sysvipc/msg | wc -l; tail -n +2 /proc/sysvipc/sem | wc -l');
      assert.equal(r.stdout, '0\n0\n0\n');
    } finally {
      execFileSync('ipcrm', ['-m', id]);
    }
  });
});

describe('locked mounts', { skip: noPython }, () => {
  test("a nested user namespace cannot unlock brig's mounts", T, async () => {
    // Inside, unshare a user and mount namespace: full capabilities there, but every mount
    // brig set up came along locked. Creating a new mount works (so the capabilities are real).
    const script = [
      'import ctypes, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'def call(name, f, *a):',
      '    r = f(*a); e = ctypes.get_errno()',
      '    print(name, "ok" if r == 0 else os.strerror(e))',
      'call("unshare", libc.unshare, 0x10000000 | 0x00020000)',
      'print("capeff", [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0])',
      'call("remount-root-rw", libc.mount, None, b"/", None, 32 | 4096, None)',
      'call("umount-proc", libc.umount2, b"/proc", 0)',
      'call("umount-tmp", libc.umount2, b"/tmp", 2)',
      'call("umount-dev", libc.umount2, b"/dev", 2)',
      'call("mount-tmpfs", libc.mount, b"none", b"/tmp", b"tmpfs", 0, None)',
    ].join('\n');
    const r = await run({ command: [PYTHON, '-c', script] });
    const out = Object.fromEntries(lines(r.stdout).map((l) => [l.split(' ')[0], l.slice(l.indexOf(' ') + 1)]));
    assert.equal(out.unshare, 'ok', r.stdout + r.stderr);
    assert.ok(BigInt(`0x${out.capeff}`) & (1n << 21n), `no CAP_SYS_ADMIN in the nested namespace: ${r.stdout}`);
    assert.equal(out['mount-tmpfs'], 'ok', r.stdout);
    for (const k of ['remount-root-rw', 'umount-proc', 'umount-tmp', 'umount-dev']) assert.notEqual(out[k], 'ok', `${k}: ${r.stdout}`);
  });
});
