// Nothing is left behind: killing brig (the CLI or a Node process using the library) kills
// the sandbox at once, and every setup error exits cleanly with one line naming the stage,
// without leaving a process or a mount.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as spawnChild } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { brig, brigAsync, mountTable, prefix, processesWith, root, skipUnlessSandbox, tempDir, waitFor } from '../helpers/util.js';

const skip = await skipUnlessSandbox();
const P = prefix(import.meta.url);
const T = { timeout: 30000 };

/** Wait until a process with `marker` in its command line runs inside a sandbox. */
async function sandboxRunning(marker) {
  return waitFor(() => processesWith(marker).some((pid) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/exe`) !== process.execPath;
    } catch {
      return false;
    }
  }), 10000);
}

describe('killing brig kills the sandbox', { skip }, () => {
  for (const init of [false, true]) {
    test(`SIGKILL of the brig CLI ${init ? 'with' : 'without'} --init leaves no sandboxed process`, T, async () => {
      const marker = `${P}-cli-${init}`;
      // A tree: the command, a child of it, and a grandchild that ignores SIGTERM.
      const script = `(trap '' TERM; exec -a ${marker}-grandchild sleep 1000) & exec -a ${marker} sleep 1000`;
      const child = brigAsync(['run', ...(init ? ['--init'] : []), '--', 'bash', '-c', script]);
      try {
        assert.ok(await sandboxRunning(marker), 'the sandbox started');
        child.kill('SIGKILL');
        const left = await waitFor(() => processesWith(marker).length === 0, 5000);
        assert.ok(left, `left behind: ${processesWith(marker).join(', ')}`);
      } finally {
        for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
      }
    });
  }

  test('SIGKILL of a Node process using the library leaves no sandboxed process', T, async () => {
    const marker = `${P}-lib`;
    const code = `import('${path.join(root, 'dist', 'index.js')}').then((m) => { m.spawn({ command: ['bash', '-c', 'exec -a ${marker} sleep 1000'] }); });`;
    const child = spawnChild(process.execPath, ['-e', code], { stdio: 'ignore' });
    try {
      assert.ok(await sandboxRunning(marker), 'the sandbox started');
      child.kill('SIGKILL');
      assert.ok(await waitFor(() => processesWith(marker).length === 0, 5000), `left behind: ${processesWith(marker)}`);
    } finally {
      for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  test('SIGKILL of brig while the child waits for its id maps leaves nothing', T, async () => {
    const marker = `${P}-setup`;
    // newuidmap makes brig await between clone and release: die right then.
    const code = `import('${path.join(root, 'dist', 'index.js')}').then((m) => {
      m.spawn({ command: ['sleep', '1000'], uidMap: [{ inside: 0, outside: 65534, useNewidmap: true }] });
      setImmediate(() => process.kill(process.pid, 'SIGKILL'));
    });`;
    for (let i = 0; i < 5; i++) {
      const child = spawnChild(process.execPath, ['-e', code, marker], { stdio: 'ignore' });
      await new Promise((res) => child.on('exit', res));
    }
    // The pre-exec child is a copy of node with the marker in its arguments.
    const gone = await waitFor(() => processesWith(marker).length === 0, 5000);
    for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
    assert.ok(gone, 'a sandbox child outlived brig');
  });

  test('SIGTERM to the brig CLI kills the sandbox and brig exits with its status', T, async () => {
    const marker = `${P}-term`;
    const child = brigAsync(['run', '--', 'bash', '-c', `exec -a ${marker} sleep 1000`]);
    const exit = new Promise((res) => child.on('exit', (code) => res(code)));
    assert.ok(await sandboxRunning(marker));
    child.kill('SIGTERM');
    assert.equal(await exit, 137);
    assert.equal(processesWith(marker).length, 0);
  });
});

describe('setup errors leave nothing behind', { skip }, () => {
  const cases = [
    { name: 'nonexistent chroot', args: ['-c', '/nonexistent-root-dir'], cmd: ['true'], re: /^brig: mount: root does not exist or is unreachable \(\/nonexistent-root-dir\): no such file or directory$/m },
    { name: 'chroot that is a file', args: ['-c', '/etc/passwd'], cmd: ['true'], re: /^brig: mount: root is not a directory \(\/etc\/passwd\): not a directory$/m },
    { name: 'nonexistent command', args: [], cmd: ['no-such-command'], re: /^brig: exec: command not found \(no-such-command\): no such file or directory$/m },
    { name: 'command that is a directory', args: [], cmd: ['/usr'], re: /^brig: exec: cannot execute the command \(\/usr\): is a directory$/m },
    { name: 'command not executable', args: [], cmd: ['/etc/passwd'], re: /^brig: exec: cannot execute the command \(\/etc\/passwd\): permission denied$/m },
    { name: 'nonexistent cwd', args: ['-D', '/nonexistent-cwd'], cmd: ['true'], re: /^brig: process: change to the working directory \(\/nonexistent-cwd\): no such file or directory$/m },
    { name: 'missing bind source', args: ['-B', '/nonexistent-src:/mnt'], cmd: ['true'], re: /^brig: mount: .*\(\/nonexistent-src\): no such file or directory$/m },
    { name: 'mount point missing deep in the read-only root', args: ['-R', '/etc:/usr/nonexistent-target'], cmd: ['true'], re: /^brig: mount: create mount point \(\/usr\/nonexistent-target\): read-only file system$/m },
    { name: 'unknown flag', args: ['--no-such-flag'], cmd: ['true'], re: /^brig: validate: unknown option '--no-such-flag'$/m },
    { name: 'malformed value', args: ['--time_limit', 'abc'], cmd: ['true'], re: /^brig: validate: --time_limit needs a whole number/m },
    { name: 'malformed map', args: ['-u', '0:x:y:z'], cmd: ['true'], re: /^brig: validate: -u takes inside\[:outside\[:count\]\]/m },
    { name: 'overlapping maps', args: ['-u', '0:100000:10', '-u', '5:200000:1'], cmd: ['true'], re: /^brig: validate: uidMap\[1\] overlaps uidMap\[0\] inside the sandbox$/m },
  ];
  for (const c of cases) {
    test(`${c.name}: exit 255, one clear line, no process or mount left`, T, () => {
      const marker = `${P}-${c.name.replace(/\W+/g, '_')}`;
      const before = mountTable();
      // The marker rides in the command's arguments so any leftover child is findable.
      const r = brig(['run', ...c.args, '--', ...c.cmd, marker]);
      assert.equal(r.status, 255, r.stderr);
      assert.match(r.stderr, c.re);
      assert.equal(r.stdout, '');
      assert.deepEqual(processesWith(marker), []);
      assert.equal(mountTable(), before);
    });
  }

  test('a failure in the middle of the mounts leaves the host mount table unchanged', T, (t) => {
    const { dir, cleanup } = tempDir(P);
    t.after(cleanup);
    fs.writeFileSync(path.join(dir, 'file'), '');
    const before = mountTable();
    // A directory bound onto a file mount point fails after several mounts succeeded.
    const r = brig(['run', '-T', '/tmp/a', '-B', `${dir}:/etc/hostname`, '--', 'true']);
    assert.equal(r.status, 255);
    assert.match(r.stderr, /^brig: mount: /m);
    assert.equal(mountTable(), before);
  });
});
