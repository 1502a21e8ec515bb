// The sandboxed process: argv, env, cwd, stdio, passed fds, rlimits, time limits, exit
// statuses and signals, with and without --init (whose Result must be the same).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { run, spawn, BrigError } from '../../dist/index.js';
import { brig, prefix, skipUnlessSandbox, tempDir } from '../helpers/util.js';

const skip = await skipUnlessSandbox();
const P = prefix(import.meta.url);
const T = { timeout: 30000 };
const sh = (script, extra = {}) => run({ command: ['/bin/sh', '-c', script], ...extra });

describe('command and environment', { skip }, () => {
  test('argv is passed unchanged and the command is found in the sandbox PATH', T, async () => {
    const r = await run({ command: ['printf', '%s|', 'a b', '', '$HOME', '*'] });
    assert.equal(r.status, 'exited');
    assert.equal(r.stdout, 'a b||$HOME|*|');
  });

  test('the environment is clean by default: PATH only', T, async () => {
    const r = await run({ command: ['/usr/bin/env'] });
    assert.equal(r.stdout.trim(), 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });

  test('env adds variables, keepEnv starts from the caller environment', T, async () => {
    process.env[`${P.replace(/-/g, '_')}_VAR`] = 'outside';
    try {
      const r = await run({ command: ['/usr/bin/env'], env: { FOO: 'bar baz' } });
      assert.match(r.stdout, /^FOO=bar baz$/m);
      assert.doesNotMatch(r.stdout, /outside/);
      const k = await run({ command: ['/usr/bin/env'], keepEnv: true, env: { FOO: 'x' } });
      assert.match(k.stdout, /=outside$/m);
      assert.match(k.stdout, /^FOO=x$/m);
    } finally {
      delete process.env[`${P.replace(/-/g, '_')}_VAR`];
    }
  });

  test('a PATH set in env is the one searched', T, async () => {
    await assert.rejects(run({ command: ['true'], env: { PATH: '/nonexistent' } }), (e) => e instanceof BrigError && e.code === 'ENOTFOUND' && /PATH=\/nonexistent/.test(e.hint));
    const r = await run({ command: ['sh', '-c', 'echo $PATH'], env: { PATH: '/bin' } });
    assert.equal(r.stdout.trim(), '/bin');
  });

  test('execFile runs another file with argv[0] unchanged', T, async () => {
    const r = await run({ command: ['custom-name', '-c', 'echo $0'], execFile: '/bin/sh' });
    assert.equal(r.stdout.trim(), 'custom-name');
  });

  test('cwd is the working directory inside', T, async () => {
    const r = await run({ command: ['pwd'], cwd: '/usr/lib' });
    assert.equal(r.stdout.trim(), '/usr/lib');
  });

  test('hostname is brig by default and can be set', T, async () => {
    assert.equal((await run({ command: ['hostname'] })).stdout.trim(), 'brig');
    assert.equal((await run({ command: ['hostname'], hostname: 'box-1' })).stdout.trim(), 'box-1');
  });
});

describe('stdio', { skip }, () => {
  test('input is written to stdin, stdout and stderr are collected separately', T, async () => {
    const r = await run({ command: ['sh', '-c', 'tr a-z A-Z; echo oops >&2'], input: 'hello\n' });
    assert.equal(r.stdout, 'HELLO\n');
    assert.equal(r.stderr, 'oops\n');
  });

  test('stdin is /dev/null by default for run()', T, async () => {
    const r = await run({ command: ['sh', '-c', 'cat; readlink /proc/self/fd/0'] });
    assert.equal(r.stdout.trim(), '/dev/null');
  });

  test("encoding 'buffer' returns Buffers; maxBuffer caps collected output without blocking the command", T, async () => {
    const r = await run({ command: ['sh', '-c', 'head -c 300000 /dev/zero; echo done >&2'], encoding: 'buffer', maxBuffer: 1000 });
    assert.ok(Buffer.isBuffer(r.stdout));
    assert.equal(r.stdout.length, 1000);
    assert.equal(r.stderr.toString(), 'done\n');
    assert.equal(r.exitCode, 0);
  });

  test('caller streams can be used as stdio', T, async () => {
    const chunks = [];
    const sink = new Writable({ write(c, _e, cb) { chunks.push(c); cb(); } });
    const r = await run({ command: ['cat'], stdin: Readable.from(['from', ' a stream']), stdout: sink });
    assert.equal(r.exitCode, 0);
    await new Promise((res) => setImmediate(res));
    assert.equal(Buffer.concat(chunks).toString(), 'from a stream');
  });

  test('spawn() gives streams, pid and kill()', T, async () => {
    const sb = spawn({ command: ['sh', '-c', 'read line; echo got $line; sleep 100'] });
    await sb.ready;
    assert.ok(sb.pid > 0);
    let out = '';
    sb.stdout.on('data', (d) => { out += d; });
    sb.stdin.write('ping\n');
    for (let i = 0; i < 200 && !out.includes('got ping'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(out, 'got ping\n');
    sb.kill('SIGKILL');
    const r = await sb.wait();
    assert.equal(r.status, 'signaled');
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.exitCode, null);
  });

  test('spawn() setup failure rejects ready and wait() and emits error to listeners', T, async () => {
    const sb = spawn({ command: ['/nonexistent-command'] });
    const emitted = new Promise((res) => sb.on('error', res));
    await assert.rejects(sb.ready, (e) => e instanceof BrigError && e.code === 'ENOTFOUND');
    await assert.rejects(sb.wait(), (e) => e instanceof BrigError && e.stage === 'exec');
    assert.equal((await emitted).code, 'ENOTFOUND');
  });
});

describe('file descriptors', { skip }, () => {
  test('an fd the caller opened without O_CLOEXEC is not visible inside', T, async (t) => {
    const { dir, cleanup } = tempDir(P);
    t.after(cleanup);
    const file = path.join(dir, 'leak');
    fs.writeFileSync(file, 'secret');
    // fs.openSync sets O_CLOEXEC; clear it through /proc to model a careless caller.
    const fd = fs.openSync(file, 'r');
    t.after(() => fs.closeSync(fd));
    const r = await run({ command: ['sh', '-c', 'ls /proc/self/fd'] });
    const fds = r.stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
    // 0, 1, 2 and the fd ls itself opens to read the directory.
    assert.deepEqual(fds.slice(0, 3), [0, 1, 2]);
    assert.ok(fds.length <= 4, `unexpected fds inside: ${fds}`);
    assert.ok(!r.stdout.split('\n').includes(String(fd)) || fd <= 3);
  });

  test('passFds keeps the same numbers inside; closed fds are skipped', T, async (t) => {
    const { dir, cleanup } = tempDir(P);
    t.after(cleanup);
    const file = path.join(dir, 'passed');
    fs.writeFileSync(file, 'passed-content');
    const fd = fs.openSync(file, 'r');
    t.after(() => fs.closeSync(fd));
    const r = await run({ command: ['sh', '-c', `cat /proc/self/fd/${fd}`], passFds: [fd, 987] });
    assert.equal(r.stdout, 'passed-content');
  });
});

describe('limits', { skip }, () => {
  test('rlimits are applied: numbers, sizes and keywords', T, async () => {
    const r = await sh('ulimit -n; ulimit -Hn; ulimit -c; ulimit -f', { rlimits: { nofile: { soft: 64, hard: 128 }, core: 0, fsize: '1M' } });
    assert.deepEqual(r.stdout.trim().split('\n'), ['64', '128', '0', '2048']);
  });

  test('the time limit kills a busy loop: status timeout, SIGKILL', T, async () => {
    const r = await run({ command: ['sh', '-c', 'while :; do :; done'], timeLimit: 0.5 });
    assert.equal(r.status, 'timeout');
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.shellStatus, 137);
    assert.ok(r.wallTimeMs >= 500);
  });

  test('the time limit kills a process tree that ignores SIGTERM', T, async () => {
    const marker = `${P}-tree`;
    const r = await run({ command: ['sh', '-c', `trap '' TERM; (trap '' TERM; exec -a ${marker} sleep 1000) & (trap '' TERM; sleep 1000) & wait`], timeLimit: 0.5 });
    assert.equal(r.status, 'timeout');
    const { processesWith, waitFor } = await import('../helpers/util.js');
    assert.deepEqual(await waitFor(() => processesWith(marker).length === 0 && []) ?? processesWith(marker), []);
  });

  test('CLI -t gives exit status 137 and says why', T, async () => {
    const r = brig(['run', '-t', '1', '--', 'sleep', '10']);
    assert.equal(r.status, 137);
    assert.match(r.stderr, /time limit/);
  });
});

describe('exit status and signals', { skip }, () => {
  for (const init of [false, true]) {
    const label = init ? 'with --init' : 'without --init';
    test(`exit codes are propagated ${label}`, T, async () => {
      const r = await sh('exit 42', { init });
      assert.deepEqual([r.status, r.exitCode, r.signal, r.shellStatus], ['exited', 42, null, 42]);
    });

    test(`death by signal is reported ${label}`, T, async () => {
      // A fault the kernel delivers kills even a PID 1 (signals a PID 1 sends itself
      // without a handler are ignored, so `kill -SEGV $$` would not do).
      const r = await run({ command: ['/usr/bin/python3', '-c', 'import ctypes; ctypes.string_at(0)'], init });
      assert.deepEqual([r.status, r.exitCode, r.signal, r.shellStatus], ['signaled', null, 'SIGSEGV', 139]);
    });

    test(`command not found is a setup error ${label}`, T, async () => {
      await assert.rejects(run({ command: ['no-such-command-x'], init }), (e) => e.code === 'ENOTFOUND' && e.stage === 'exec' && e.errnoName === 'ENOENT');
    });
  }

  test('without --init the command is PID 1; with --init it is not', T, async () => {
    assert.equal((await sh('echo $$')).stdout.trim(), '1');
    const r = await sh('echo $$; cat /proc/1/cmdline | tr "\\0" " "', { init: true });
    const [pid, initCmd] = r.stdout.trim().split('\n');
    assert.notEqual(pid, '1');
    assert.match(initCmd, /^brig-init /);
  });

  test('--init forwards SIGTERM to the command and reaps orphans', T, async () => {
    const sb = spawn({ command: ['sh', '-c', "trap 'echo term; exit 3' TERM; (sleep 1000 &) ; echo ready; while :; do sleep 0.05; done"], init: true, stdin: 'ignore' });
    await sb.ready;
    let out = '';
    sb.stdout.on('data', (d) => { out += d; });
    for (let i = 0; i < 200 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 20));
    sb.kill('SIGTERM');
    const r = await sb.wait();
    assert.equal(r.exitCode, 3);
    assert.match(out, /term/);
  });

  test('without --init, PID 1 ignores SIGTERM it has no handler for; SIGKILL ends it', T, async () => {
    const sb = spawn({ command: ['sleep', '1000'], stdin: 'ignore' });
    await sb.ready;
    sb.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    sb.kill('SIGKILL');
    const r = await sb.wait();
    assert.equal(r.signal, 'SIGKILL');
  });

  test('CLI propagates exit codes and signals as 128+N', T, () => {
    assert.equal(brig(['run', '--', 'sh', '-c', 'exit 7']).status, 7);
    assert.equal(brig(['run', '--', '/usr/bin/python3', '-c', 'import ctypes; ctypes.string_at(0)']).status, 139);
    // With --init the command is not PID 1, so a signal it sends itself kills it.
    assert.equal(brig(['run', '--init', '--', 'sh', '-c', 'kill -TERM $$']).status, 143);
    assert.equal(brig(['run', '--', 'sh', '-c', 'kill -TERM $$; echo survived']).stdout, 'survived\n');
  });

  test('Result reports times', T, async () => {
    const r = await sh('i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done');
    assert.ok(r.cpuUserMs + r.cpuSystemMs > 0);
    assert.ok(r.wallTimeMs > 0);
  });
});
