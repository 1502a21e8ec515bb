// The rootless tier: run as an unprivileged user (test/run.js switches to uid 65534 with
// setpriv). The caller's own ids map to 0 inside; wider maps go through newuidmap.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, BrigError } from '../../dist/index.js';
import { brig, brigAsync, processesWith, prefix, skipUnlessSandbox, waitFor } from '../helpers/util.js';

const unprivileged = process.geteuid() !== 0;
const skip = !unprivileged ? 'the rootless tier must run as an unprivileged user (test/run.js does that)' : await skipUnlessSandbox();
const P = prefix(import.meta.url);
const T = { timeout: 30000 };
const uid = process.geteuid();
const gid = process.getegid();
const subids = process.env.BRIG_TEST_SUBIDS; // "start:count" when test/run.js set them up

describe('rootless sandboxes', { skip }, () => {
  test("the caller's own uid and gid become 0 inside", T, async () => {
    const r = await run({ command: ['sh', '-c', 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'] });
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    assert.deepEqual(lines, ['0', '0', `0 ${uid} 1`, `0 ${gid} 1`, 'deny']);
  });

  test('the default isolation holds: read-only root, private /tmp, own PID namespace, no capabilities', T, async () => {
    const r = await run({ command: ['sh', '-c', 'touch /usr/x 2>&1; ls -A /tmp | wc -l; echo $$; grep CapEff /proc/self/status'] });
    const [ro, tmp, pid, caps] = r.stdout.trim().split('\n');
    assert.match(ro, /Read-only file system/);
    assert.equal(tmp.trim(), '0');
    assert.equal(pid, '1');
    assert.match(caps, /CapEff:\s+0{16}/);
  });

  test('files the caller cannot read outside stay unreadable inside', T, async () => {
    const r = await run({ command: ['sh', '-c', 'cat /etc/shadow >/dev/null 2>&1 && echo readable || echo denied'] });
    assert.equal(r.stdout.trim(), 'denied');
  });

  test('--keep-caps keeps capabilities but the read-only root cannot be remounted writable', T, async () => {
    const r = await run({ command: ['sh', '-c', 'grep CapEff /proc/self/status; mount -o remount,rw / 2>&1; echo rc=$?; touch /usr/x 2>&1'], keepCaps: true });
    assert.doesNotMatch(r.stdout, /CapEff:\s+0{16}/);
    assert.match(r.stdout, /rc=[1-9]/);
    assert.match(r.stdout, /Read-only file system/);
  });

  test('a wider map without newuidmap fails with a clear error naming the package', T, async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent'; // as on a machine without the uidmap package
    try {
      const err = await run({ command: ['/bin/true'], uidMap: [{ inside: 0, outside: uid, count: 1 }, { inside: 1, outside: 400000, count: 10 }] }).catch((e) => e);
      assert.ok(err instanceof BrigError, String(err));
      assert.equal(err.stage, 'idmap');
      assert.match(err.message, /newuidmap is not installed/);
      assert.match(err.hint, /uidmap/);
    } finally {
      process.env.PATH = path;
    }
  });

  test('wider maps go through newuidmap/newgidmap with subordinate ids', { ...T, skip: subids ? undefined : 'no subordinate ids were set up (newuidmap missing)' }, async () => {
    const [start, count] = subids.split(':').map(Number);
    const n = Math.min(count, 1000);
    const r = await run({
      command: ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map'],
      uidMap: [{ inside: 0, outside: uid, count: 1 }, { inside: 1, outside: start, count: n }],
      gidMap: [{ inside: 0, outside: gid, count: 1 }, { inside: 1, outside: start, count: n }],
    });
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    assert.deepEqual(lines, [`0 ${uid} 1`, `1 ${start} ${n}`, `0 ${gid} 1`, `1 ${start} ${n}`]);
  });

  test('kept capabilities with a newuidmap range: the wide map is kept, mounts stay locked', { ...T, skip: subids ? undefined : 'no subordinate ids were set up (newuidmap missing)' }, async () => {
    const [start] = subids.split(':').map(Number);
    const r = await run({
      command: ['sh', '-c', 'cat /proc/self/uid_map; mount -o remount,rw / 2>/dev/null && echo remounted || echo locked'],
      keepCaps: true,
      uidMap: [{ inside: 0, outside: uid, count: 1 }, { inside: 1, outside: start, count: 10 }],
      gidMap: [{ inside: 0, outside: gid, count: 1 }, { inside: 1, outside: start, count: 10 }],
    });
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    assert.deepEqual(lines, ['0 0 1', '1 1 10', 'locked']);
  });

  test('mapping a range outside /etc/subuid is refused by newuidmap with a clear error', { ...T, skip: subids ? undefined : 'newuidmap is not set up' }, async () => {
    const err = await run({ command: ['true'], uidMap: [{ inside: 0, outside: 1, count: 5 }] }).catch((e) => e);
    assert.ok(err instanceof BrigError, String(err));
    assert.equal(err.stage, 'idmap');
    assert.match(err.message, /newuidmap refused the map/);
  });

  test('SIGKILL of the brig CLI leaves no sandboxed process', T, async () => {
    const marker = `${P}-kill`;
    const child = brigAsync(['run', '--', 'bash', '-c', `exec -a ${marker} sleep 1000`]);
    try {
      assert.ok(await waitFor(() => processesWith(marker).length >= 2, 10000), 'the sandbox started');
      child.kill('SIGKILL');
      assert.ok(await waitFor(() => processesWith(marker).length === 0, 5000), `left: ${processesWith(marker)}`);
    } finally {
      for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  test('the CLI works and reports errors the same way', T, () => {
    assert.equal(brig(['run', '--', 'sh', '-c', 'exit 5']).status, 5);
    const r = brig(['run', '--', 'no-such-command']);
    assert.equal(r.status, 255);
    assert.match(r.stderr, /^brig: exec: command not found/);
  });
});
