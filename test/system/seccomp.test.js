// Seccomp enforcement: a filter (assembled by hand with src/seccomp/bpf.ts, or compiled
// from a Kafel policy) is installed last before exec; an ERRNO rule is observed by a
// surviving process, and a kill rule ends the sandbox with status 'seccomp'.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, BrigError } from '../../dist/index.js';
import {
  AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64, BPF_ABS, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W,
  SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, encode, jump, stmt,
} from '../../dist/seccomp/bpf.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { brig, prefix, skipUnlessSandbox, tempDir } from '../helpers/util.js';

const skip = await skipUnlessSandbox();
const T = { timeout: 30000 };
const ARCH = process.arch === 'arm64' ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
const NR_UNAME = process.arch === 'arm64' ? 160 : 63;

/** Allow everything except uname, which gets `action`; foreign architectures are killed. */
function filterUname(action) {
  return encode([
    stmt(BPF_LD | BPF_W | BPF_ABS, 4),
    jump(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
    stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    stmt(BPF_LD | BPF_W | BPF_ABS, 0),
    jump(BPF_JMP | BPF_JEQ | BPF_K, NR_UNAME, 0, 1),
    stmt(BPF_RET | BPF_K, action),
    stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  ]);
}

describe('seccomp filters', { skip }, () => {
  test('an ERRNO rule fails the call with that errno and the process goes on', T, async () => {
    const r = await run({
      command: ['/usr/bin/python3', '-c', 'import os\ntry:\n    os.uname()\nexcept OSError as e:\n    print("errno", e.errno)\nprint("alive")'],
      seccomp: filterUname(SECCOMP_RET_ERRNO | 1),
    });
    assert.equal(r.status, 'exited');
    assert.equal(r.stdout, 'errno 1\nalive\n');
    // Without the filter the call works.
    const free = await run({ command: ['uname', '-s'] });
    assert.equal(free.stdout, 'Linux\n');
  });

  test('a KILL_PROCESS rule ends the sandbox with status seccomp and SIGSYS (159)', T, async () => {
    const r = await run({ command: ['uname', '-s'], seccomp: filterUname(SECCOMP_RET_KILL_PROCESS) });
    assert.equal(r.status, 'seccomp');
    assert.equal(r.signal, 'SIGSYS');
    assert.equal(r.exitCode, null);
    assert.equal(r.shellStatus, 159);
  });

  test('the filter binds the whole process tree and is in force before exec', T, async () => {
    const r = await run({ command: ['sh', '-c', 'uname -s; echo "status $?"'], seccomp: filterUname(SECCOMP_RET_ERRNO | 13) });
    assert.match(r.stdout, /status [1-9]/);
    assert.match(r.stderr, /ermission denied/);
    const status = await run({ command: ['grep', 'Seccomp:', '/proc/self/status'], seccomp: filterUname(SECCOMP_RET_ERRNO | 1) });
    assert.match(status.stdout, /Seccomp:\s+2/);
  });

  test('invalid programs and policies are refused before anything starts', T, async () => {
    const bad = [
      [new Uint8Array(7), /multiple of 8/, 'EINVALIDOPTION'],
      [encode([stmt(BPF_LD | BPF_W | BPF_ABS, 0)]), /RET/i, 'EINVALIDOPTION'],
      ['ALLOW { opn } DEFAULT KILL', /1:9: undefined syscall `opn'/, 'EINVALIDOPTION'],
    ];
    for (const [seccomp, re, code] of bad) {
      const e = await run({ command: ['true'], seccomp }).catch((x) => x);
      assert.ok(e instanceof BrigError, String(e));
      assert.match(e.message, re);
      assert.equal(e.code, code);
      assert.equal(e.option, 'seccomp');
    }
  });

  test('with --init the filter binds the command, not brig-init; the Result is the same', T, async () => {
    const seccompOf = "import os\nprint(open('/proc/1/status').read().split('Seccomp:')[1].split()[0], open('/proc/self/status').read().split('Seccomp:')[1].split()[0])";
    const r = await run({ command: ['/usr/bin/python3', '-c', seccompOf], seccomp: filterUname(SECCOMP_RET_ERRNO | 1), init: true });
    assert.equal(r.stdout, '0 2\n', 'init unfiltered, the command filtered');
    const killed = await run({ command: ['uname'], seccomp: 'KILL_PROCESS { uname } DEFAULT ALLOW', init: true });
    assert.deepEqual([killed.status, killed.signal, killed.shellStatus], ['seccomp', 'SIGSYS', 159]);
  });
});

describe('Kafel policies', { skip }, () => {
  const uname = ['/usr/bin/python3', '-c', 'import os\ntry:\n    os.uname()\nexcept OSError as e:\n    print("errno", e.errno)\nprint("alive")'];

  test('policy text: ERRNO observed, the rest allowed', T, async () => {
    const r = await run({ command: uname, seccomp: 'ERRNO(13) { uname } DEFAULT ALLOW' });
    assert.equal(r.stdout, 'errno 13\nalive\n');
  });

  test('argument conditions are enforced by the kernel', T, async () => {
    // kill(pid, 0) is refused only for signal 0; other signals pass the filter.
    const script = 'import os\nfor sig in (0, 18):\n    try:\n        os.kill(os.getpid(), sig); print(sig, "ok")\n    except OSError as e:\n        print(sig, "errno", e.errno)';
    const r = await run({ command: ['/usr/bin/python3', '-c', script], seccomp: 'ERRNO(1) { kill(pid, sig) { sig == 0 } } DEFAULT ALLOW' });
    assert.equal(r.stdout, '0 errno 1\n18 ok\n');
  });

  test('LOG allows the call (the kernel logs it); USER_NOTIF without a listener fails with ENOSYS', T, async () => {
    const logged = await run({ command: uname, seccomp: 'LOG { uname } DEFAULT ALLOW', seccompLog: true });
    assert.equal(logged.stdout, 'alive\n');
    const notif = await run({ command: uname, seccomp: 'USER_NOTIF { uname } DEFAULT ALLOW' });
    assert.equal(notif.stdout, 'errno 38\nalive\n');
  });

  test('KILL_PROCESS in a policy ends the sandbox with status seccomp; DEFAULT KILL too', T, async () => {
    const r = await run({ command: ['uname'], seccomp: 'KILL_PROCESS { uname } DEFAULT ALLOW' });
    assert.deepEqual([r.status, r.signal, r.shellStatus], ['seccomp', 'SIGSYS', 159]);
    // An allow list missing what the command needs: the default kill stops it.
    const d = await run({ command: ['/bin/true'], seccomp: 'ALLOW { exit_group } DEFAULT KILL' });
    assert.equal(d.status, 'seccomp');
  });

  test('a policy file with an #include relative to it', T, async (t) => {
    const { dir, cleanup } = tempDir(prefix(import.meta.url));
    t.after(cleanup);
    fs.mkdirSync(path.join(dir, 'inc'));
    fs.writeFileSync(path.join(dir, 'inc', 'deny.policy'), 'POLICY deny_uname { ERRNO(1) { uname } }\n');
    fs.writeFileSync(path.join(dir, 'main.policy'), '#include "inc/deny.policy"\nUSE deny_uname\nDEFAULT ALLOW\n');
    const r = await run({ command: uname, seccompFile: path.join(dir, 'main.policy') });
    assert.equal(r.stdout, 'errno 1\nalive\n');
  });

  test('CLI: --seccomp_string, -P and a kill reported as 159', T, (t) => {
    const ok = brig(['run', '--seccomp_string', 'ERRNO(1) { uname }', '--seccomp_string', 'DEFAULT ALLOW', '--', ...uname]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'errno 1\nalive\n');
    const killed = brig(['run', '--seccomp_string', 'KILL_PROCESS { uname } DEFAULT ALLOW', '--', 'uname']);
    assert.equal(killed.status, 159);
    assert.match(killed.stderr, /seccomp filter killed the command/);
    const { dir, cleanup } = tempDir(prefix(import.meta.url));
    t.after(cleanup);
    fs.writeFileSync(path.join(dir, 'p.policy'), 'ALLOW { opn }\n');
    const bad = brig(['run', '-P', path.join(dir, 'p.policy'), '--', 'true']);
    assert.equal(bad.status, 255);
    assert.match(bad.stderr, /^brig: seccomp: seccomp policy: .*1:9: undefined syscall `opn'/m);
    assert.match(bad.stderr, /did you mean `open'/);
    const both = brig(['run', '-P', path.join(dir, 'p.policy'), '--seccomp_string', 'DEFAULT ALLOW', '--', 'true']);
    assert.equal(both.status, 255);
    assert.match(both.stderr, /not both/);
  });
});
