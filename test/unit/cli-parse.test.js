// Unit tests for src/cli/parse.ts: `brig run` argv -> Options through the option table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArgs } from '../../dist/cli/parse.js';
import { OPTIONS } from '../../dist/config/table.js';
import { validate } from '../../dist/config/validate.js';
import { BrigError } from '../../dist/errors.js';

const T = { timeout: 10000 };
const MiB = 1024 * 1024;
process.env.BRIG_UNIT_CLI_VAR = 'copied value';
delete process.env.BRIG_UNIT_CLI_UNSET;

/** Parses argv + a command word and returns the options without the command. */
function opts(argv) {
  const { options, help } = parseRunArgs([...argv, 'cmd']);
  assert.equal(help, false);
  const { command, ...rest } = options;
  assert.deepEqual(command, ['cmd'], 'the command follows the options');
  return rest;
}

const bind = (source, target, readOnly) => ({ type: 'bind', source, target, readOnly });

const flagCases = [
  // Command
  { argv: ['-x', '/bin/busybox'], want: { execFile: '/bin/busybox' } },
  { argv: ['--exec-file', '/bin/busybox'], want: { execFile: '/bin/busybox' } },
  { argv: ['--exec_file=/bin/busybox'], want: { execFile: '/bin/busybox' } },
  { argv: ['-D', '/tmp'], want: { cwd: '/tmp' } },
  { argv: ['--cwd', '/tmp'], want: { cwd: '/tmp' } },
  { argv: ['-D/tmp'], want: { cwd: '/tmp' }, why: 'value attached to the short flag' },
  { argv: ['-E', 'A=1', '-E', 'B=2=3', '--env', 'C='], want: { env: { A: '1', B: '2=3', C: '' } } },
  { argv: ['-E', 'BRIG_UNIT_CLI_VAR'], want: { env: { BRIG_UNIT_CLI_VAR: 'copied value' } }, why: "bare VAR copies brig's value" },
  { argv: ['-e'], want: { keepEnv: true } },
  { argv: ['--keep-env'], want: { keepEnv: true } },
  { argv: ['--keep_env'], want: { keepEnv: true } },
  { argv: ['--init'], want: { init: true } },
  { argv: ['-t', '5'], want: { timeLimit: 5 } },
  { argv: ['-t5'], want: { timeLimit: 5 } },
  { argv: ['--time_limit', '0'], want: { timeLimit: 0 } },
  { argv: ['--time-limit=600'], want: { timeLimit: 600 } },
  { argv: ['-t', '010'], want: { timeLimit: 8 }, why: 'strtoull base 0: octal' },
  { argv: ['-t', '0x10'], want: { timeLimit: 16 }, why: 'strtoull base 0: hex' },
  { argv: ['--silent'], want: { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' } },
  { argv: ['--stderr-to-null'], want: { stderr: 'ignore' } },
  { argv: ['--stderr_to_null'], want: { stderr: 'ignore' } },
  { argv: ['--pass-fd', '5', '--pass_fd', '7'], want: { passFds: [5, 7] } },
  // Filesystem
  { argv: ['-c', '/srv/root'], want: { root: '/srv/root' } },
  { argv: ['--chroot', '/srv/root'], want: { root: '/srv/root' } },
  { argv: ['--chroot=/srv/root'], want: { root: '/srv/root' } },
  { argv: ['--rw'], want: { rw: true } },
  { argv: ['-R', '/etc'], want: { mounts: [bind('/etc', '/etc', true)] } },
  { argv: ['-R', '/etc:/etc2'], want: { mounts: [bind('/etc', '/etc2', true)] } },
  { argv: ['--bindmount_ro', '/a:/b'], want: { mounts: [bind('/a', '/b', true)] } },
  { argv: ['--bindmount-ro', '/a'], want: { mounts: [bind('/a', '/a', true)] } },
  { argv: ['--bind-ro', '/a'], want: { mounts: [bind('/a', '/a', true)] } },
  { argv: ['--ro-bind', '/a'], want: { mounts: [bind('/a', '/a', true)] } },
  { argv: ['-B', '/srv/data:/data'], want: { mounts: [bind('/srv/data', '/data', false)] } },
  { argv: ['--bindmount', '/a'], want: { mounts: [bind('/a', '/a', false)] } },
  { argv: ['--bind', '/a:/b'], want: { mounts: [bind('/a', '/b', false)] } },
  { argv: ['-R', '/a', '-B', '/b', '-T', '/c'], want: { mounts: [bind('/a', '/a', true), bind('/b', '/b', false), { type: 'tmpfs', target: '/c' }] }, why: 'mounts accumulate in order' },
  { argv: ['-T', '/scratch'], want: { mounts: [{ type: 'tmpfs', target: '/scratch' }] } },
  { argv: ['-T', '/scratch:size=64M,mode=1777'], want: { mounts: [{ type: 'tmpfs', target: '/scratch', size: '64M', mode: 0o1777 }] } },
  { argv: ['--tmpfsmount', '/s:mode=700'], want: { mounts: [{ type: 'tmpfs', target: '/s', mode: 0o700 }] } },
  { argv: ['--tmpfs', '/s:size=4096'], want: { mounts: [{ type: 'tmpfs', target: '/s', size: '4096' }] } },
  { argv: ['-s', '/proc/self/fd:/dev/fd'], want: { mounts: [{ type: 'symlink', target: '/proc/self/fd', path: '/dev/fd' }] } },
  { argv: ['--symlink', 'usr/bin:/bin2'], want: { mounts: [{ type: 'symlink', target: 'usr/bin', path: '/bin2' }] } },
  { argv: ['--disable-proc'], want: { proc: false } },
  { argv: ['--disable_proc'], want: { proc: false } },
  // Identity
  { argv: ['-u', '0'], want: { uidMap: [{ inside: 0 }] } },
  { argv: ['-u', '0:1000'], want: { uidMap: [{ inside: 0, outside: 1000 }] } },
  { argv: ['-u', '0:1000:10'], want: { uidMap: [{ inside: 0, outside: 1000, count: 10 }] } },
  { argv: ['-u', 'root'], want: { uidMap: [{ inside: 0 }] }, why: 'user names are looked up' },
  { argv: ['--user', '1000:root'], want: { uidMap: [{ inside: 1000, outside: 0 }] } },
  { argv: ['-u', '0:1000', '-u', '1:2000:5'], want: { uidMap: [{ inside: 0, outside: 1000 }, { inside: 1, outside: 2000, count: 5 }] } },
  { argv: ['-g', '0'], want: { gidMap: [{ inside: 0 }] } },
  { argv: ['--group', '0:root:1'], want: { gidMap: [{ inside: 0, outside: 0, count: 1 }] }, why: 'group names are looked up' },
  { argv: ['-U', '0:100000:65536'], want: { uidMap: [{ inside: 0, outside: 100000, count: 65536, useNewidmap: true }] } },
  { argv: ['--uid_mapping', '0:100000:1'], want: { uidMap: [{ inside: 0, outside: 100000, count: 1, useNewidmap: true }] } },
  { argv: ['-G', '0:100000:65536'], want: { gidMap: [{ inside: 0, outside: 100000, count: 65536, useNewidmap: true }] } },
  { argv: ['--gid-mapping', '0:100000:2'], want: { gidMap: [{ inside: 0, outside: 100000, count: 2, useNewidmap: true }] } },
  { argv: ['--root-owner-is-root'], want: { rootOwnerIsRoot: true } },
  { argv: ['--keep-caps'], want: { keepCaps: true } },
  { argv: ['--keep_caps'], want: { keepCaps: true } },
  { argv: ['--cap', 'CAP_NET_ADMIN', '--cap', 'sys_admin'], want: { caps: ['CAP_NET_ADMIN', 'sys_admin'] } },
  { argv: ['--disable-no-new-privs'], want: { noNewPrivs: false } },
  { argv: ['--disable_no_new_privs'], want: { noNewPrivs: false } },
  { argv: ['--skip-setsid'], want: { newSession: false } },
  { argv: ['--skip_setsid'], want: { newSession: false } },
  // Namespaces
  { argv: ['-N'], want: { namespaces: { net: false } } },
  { argv: ['--disable_clone_newnet'], want: { namespaces: { net: false } } },
  { argv: ['--disable_clone_newuser'], want: { namespaces: { user: false } } },
  { argv: ['--disable-clone-newns'], want: { namespaces: { mount: false } } },
  { argv: ['--disable_clone_newpid'], want: { namespaces: { pid: false } } },
  { argv: ['--disable_clone_newipc'], want: { namespaces: { ipc: false } } },
  { argv: ['--disable_clone_newuts'], want: { namespaces: { uts: false } } },
  { argv: ['--disable_clone_newcgroup'], want: { namespaces: { cgroup: false } } },
  { argv: ['--disable_clone_newtime'], want: { namespaces: { time: false } } },
  { argv: ['--enable_clone_newtime'], want: { namespaces: { time: true } } },
  { argv: ['--enable-clone-newcgroup'], want: { namespaces: { cgroup: true } } },
  { argv: ['--disable_clone_newtime', '--enable_clone_newtime'], want: { namespaces: { time: true } }, why: 'the last one wins' },
  { argv: ['-N', '--disable_clone_newpid', '--disable_clone_newuts'], want: { namespaces: { net: false, pid: false, uts: false } } },
  { argv: ['-H', 'box'], want: { hostname: 'box' } },
  { argv: ['--hostname=box'], want: { hostname: 'box' } },
  { argv: ['--hostn', 'box'], want: { hostname: 'box' }, why: 'unique prefix' },
  // Limits
  { argv: ['--rlimit_as', '100'], want: { rlimits: { as: 100 * MiB } }, why: 'nsjail unit: MiB' },
  { argv: ['--rlimit-as', '64M'], want: { rlimits: { as: '64M' } }, why: 'a size string is kept for validate' },
  { argv: ['--rlimit_as', '1.5g'], want: { rlimits: { as: '1.5g' } } },
  { argv: ['--rlimit_nofile', '64'], want: { rlimits: { nofile: 64 } } },
  { argv: ['--rlimit_nofile', 'max'], want: { rlimits: { nofile: 'max' } } },
  { argv: ['--rlimit_nofile', 'MAX'], want: { rlimits: { nofile: 'max' } } },
  { argv: ['--rlimit_nofile', 'def'], want: { rlimits: { nofile: 'def' } } },
  { argv: ['--rlimit_nofile', 'soft'], want: { rlimits: { nofile: 'soft' } } },
  { argv: ['--rlimit_nofile', 'hard'], want: { rlimits: { nofile: 'hard' } } },
  { argv: ['--rlimit_fsize', 'inf'], want: { rlimits: { fsize: 'inf' } } },
  { argv: ['--rlimit_as', '1', '--rlimit_nofile', '2', '--disable-rlimits'], want: { rlimits: {} }, why: 'disable-rlimits clears earlier ones' },
  { argv: ['--disable_rlimits', '--rlimit_nproc', '3'], want: { rlimits: { nproc: 3 } } },
  { argv: ['--rlimit_cpu', '1', '--rlimit_cpu', '2'], want: { rlimits: { cpu: 2 } }, why: 'the last one wins' },
  { argv: ['--nice-level', '-5'], want: { nice: -5 }, why: 'a value may start with -' },
  { argv: ['--nice_level=19'], want: { nice: 19 } },
  // Clusters
  { argv: ['-Ne'], want: { namespaces: { net: false }, keepEnv: true } },
  { argv: ['-NeHbox'], want: { namespaces: { net: false }, keepEnv: true, hostname: 'box' }, why: 'a value-taking letter takes the rest' },
  { argv: ['-eD', '/tmp'], want: { keepEnv: true, cwd: '/tmp' } },
  { argv: ['-et', '3'], want: { keepEnv: true, timeLimit: 3 } },
];

for (const c of flagCases) {
  test(`flag ${c.argv.join(' ')}${c.why ? ` (${c.why})` : ''}`, T, () => {
    assert.deepEqual(opts(c.argv), c.want);
  });
}

// nsjail's units: a plain number is multiplied by these.
const RLIMIT_UNITS = { as: MiB, core: MiB, cpu: 1, fsize: MiB, nofile: 1, nproc: 1, stack: MiB, memlock: 1024, rtprio: 1, msgqueue: 1 };
for (const [name, unit] of Object.entries(RLIMIT_UNITS)) {
  test(`--rlimit_${name} 3 is 3 x ${unit}; --rlimit-${name} inf and 2k`, T, () => {
    assert.deepEqual(opts([`--rlimit_${name}`, '3']), { rlimits: { [name]: 3 * unit } });
    assert.deepEqual(opts([`--rlimit-${name}`, 'inf']), { rlimits: { [name]: 'inf' } });
    assert.deepEqual(opts([`--rlimit-${name}`, '2k']), { rlimits: { [name]: '2k' } });
  });
}

test('CLI rlimits reach the Spec in kernel units', T, () => {
  const { options } = parseRunArgs(['--rlimit_as', '100', '--rlimit_nofile', '64', '--rlimit_fsize', '2M', '--rlimit_stack', 'inf', 'true']);
  const spec = validate(options, { stdio: ['inherit', 'inherit', 'inherit'] });
  const got = Object.fromEntries(spec.rlimits.map((r) => [r.name, [r.soft, r.hard]]));
  assert.deepEqual(got, {
    as: [104857600n, 104857600n], nofile: [64n, 64n], fsize: [2097152n, 2097152n], stack: [2n ** 64n - 1n, 2n ** 64n - 1n],
  });
});

test('the table and the parser agree: every implemented row parses by its long name', T, () => {
  for (const row of OPTIONS.filter((r) => !r.pending)) {
    const value = {
      'exec-file': '/x', cwd: '/', env: 'A=1', 'time-limit': '1', 'pass-fd': '3', chroot: '/', 'bindmount-ro': '/a',
      bindmount: '/a', tmpfsmount: '/t', symlink: 'a:/b', user: '0', group: '0', 'uid-mapping': '0:1:1', 'gid-mapping': '0:1:1',
      cap: 'CAP_CHOWN', hostname: 'h', 'nice-level': '1', 'seccomp-policy': '/p.policy', 'seccomp-string': 'DEFAULT ALLOW',
    }[row.name] ?? (row.name.startsWith('rlimit-') ? '1' : undefined);
    assert.equal(row.arg !== undefined, value !== undefined, `${row.name}: test value for a value-taking row`);
    const argv = [`--${row.name}`, ...(value === undefined ? [] : [value]), 'cmd'];
    const { options } = parseRunArgs(argv);
    assert.ok(Object.keys(options).length > 1, `--${row.name} sets something`);
    if (row.short) assert.deepEqual(parseRunArgs([`-${row.short}`, ...argv.slice(1)]).options, options, `-${row.short} is --${row.name}`);
    assert.deepEqual(parseRunArgs([`--${row.name.replace(/-/g, '_')}`, ...argv.slice(1)]).options, options, 'underscore spelling');
  }
});

// ---------------------------------------------------------------- operands and help

const operandCases = [
  { argv: ['ls', '-l'], command: ['ls', '-l'], why: 'options stop at the first operand' },
  { argv: ['-N', 'ls', '-N', '--rw'], command: ['ls', '-N', '--rw'], want: { namespaces: { net: false } } },
  { argv: ['--', 'ls'], command: ['ls'] },
  { argv: ['--', '-weird', '--', 'x'], command: ['-weird', '--', 'x'] },
  { argv: ['-t', '5', '--', 'sh', '-c', 'echo hi'], command: ['sh', '-c', 'echo hi'], want: { timeLimit: 5 } },
  { argv: ['-', 'a'], command: ['-', 'a'], why: 'a lone - is an operand' },
];
for (const c of operandCases) {
  test(`operands: ${c.argv.join(' ')}${c.why ? ` (${c.why})` : ''}`, T, () => {
    const { options, help } = parseRunArgs(c.argv);
    assert.equal(help, false);
    const { command, ...rest } = options;
    assert.deepEqual(command, c.command);
    assert.deepEqual(rest, c.want ?? {});
  });
}

test('help: -h and --help need no command', T, () => {
  for (const argv of [['-h'], ['--help'], ['-N', '--help'], ['--help', 'ls']]) {
    assert.equal(parseRunArgs(argv).help, true, argv.join(' '));
  }
});

// ---------------------------------------------------------------- errors

function assertInvalid(argv, { option, hint, message, code = 'EINVALIDOPTION' }) {
  let err;
  try {
    parseRunArgs(argv);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof BrigError, `${argv.join(' ')}: expected a BrigError, got ${err?.stack ?? err}`);
  assert.equal(err.code, code, err.message);
  assert.equal(err.stage, 'validate');
  assert.equal(err.option, option, err.message);
  if (hint !== undefined) assert.match(err.hint ?? '', hint, `hint of ${err.message}`);
  if (message !== undefined) assert.match(err.message, message);
  return err;
}

const errorCases = [
  { argv: ['--time_limt', '5', 'x'], option: '--time_limt', hint: /did you mean '--time_limit'\?/, message: /unknown option/ },
  { argv: ['--time-limt', '5', 'x'], option: '--time-limt', hint: /'--time-limit'/ },
  { argv: ['--chrot', '/', 'x'], option: '--chrot', hint: /'--chroot'/ },
  { argv: ['--hostnamee', 'h', 'x'], option: '--hostnamee', hint: /'--hostname'/ },
  { argv: ['-Z', 'x'], option: '-Z' },
  { argv: ['-t'], option: '-t', message: /requires an argument/ },
  { argv: ['--chroot'], option: '--chroot', message: /requires an argument/ },
  { argv: ['--rw=1', 'x'], option: '--rw', message: /doesn't allow an argument/ },
  { argv: ['--dis', 'x'], option: '--dis', message: /ambiguous/ },
  { argv: ['--time_limit', 'abc', 'x'], option: '--time_limit' },
  { argv: ['-t', '5x', 'x'], option: '-t' },
  { argv: ['-t', '-1', 'x'], option: '-t' },
  { argv: ['-t', '', 'x'], option: '-t' },
  { argv: ['-t', '08', 'x'], option: '-t' },
  { argv: ['-u', 'a:b:c:d', 'x'], option: '-u', hint: /-u 0:1000:1/ },
  { argv: ['-u', '0::1', 'x'], option: '-u' },
  { argv: ['-u', 'brig-unit-no-such-user', 'x'], option: '-u', message: /unknown user/ },
  { argv: ['-g', '0:brig-unit-no-such-group', 'x'], option: '-g', message: /unknown group/ },
  { argv: ['-u', '0:0:0', 'x'], option: '-u' },
  { argv: ['--cap', 'CAP_NOPE', 'x'], option: '--cap', hint: /CAP_NET_ADMIN/ },
  { argv: ['--rlimit_as', '12xyz', 'x'], option: '--rlimit_as' },
  { argv: ['--rlimit_as', '-1', 'x'], option: '--rlimit_as' },
  { argv: ['--rlimit_nofile', 'lots', 'x'], option: '--rlimit_nofile' },
  { argv: ['--nice-level', '20', 'x'], option: '--nice-level' },
  { argv: ['--nice-level', '-21', 'x'], option: '--nice-level' },
  { argv: ['--pass-fd', 'x1', 'x'], option: '--pass-fd' },
  { argv: ['-E', '=x', 'x'], option: '-E' },
  { argv: ['-E', 'BRIG_UNIT_CLI_UNSET', 'x'], option: '-E', hint: /-E BRIG_UNIT_CLI_UNSET=/ },
  { argv: ['-T', '/s:size=abc', 'x'], option: '-T', hint: /size=/ },
  { argv: ['-T', '/s:foo=1', 'x'], option: '-T' },
  { argv: ['-T', '/s:mode=999', 'x'], option: '-T' },
  { argv: ['-s', 'nolink', 'x'], option: '-s' },
  { argv: ['-R', '/a:/b:/c', 'x'], option: '-R' },
  { argv: ['-B', ':/b', 'x'], option: '-B' },
  { argv: [], option: 'command', hint: /brig run/ },
  { argv: ['-N'], option: 'command' },
  { argv: ['--'], option: 'command' },
];
for (const c of errorCases) {
  test(`error: ${JSON.stringify(c.argv)}`, T, () => assertInvalid(c.argv, c));
}

test('strtol-style numbers: signs combine with octal and hex prefixes', T, () => {
  assert.equal(opts(['--nice-level', '-010']).nice, -8);
  assert.equal(opts(['--nice-level', '-0x5']).nice, -5);
  assert.equal(opts(['-t', '+010']).timeLimit, 8);
});

// ---------------------------------------------------------------- pending rows

const pendingRows = OPTIONS.filter((r) => r.pending);
test('there are pending rows to check', T, () => assert.ok(pendingRows.length > 0));
for (const row of pendingRows) {
  test(`pending --${row.name} is refused with ENOTSUPPORTED`, T, () => {
    const value = row.arg ? ['1'] : [];
    const err = assertInvalid([`--${row.name}`, ...value, 'x'], { option: `--${row.name}`, code: 'ENOTSUPPORTED' });
    assert.ok(err.message.includes(`--${row.name}`), err.message);
    assert.match(err.message, /not yet supported/);
    assert.ok(err.message.includes(row.pending), `message names the subsystem: ${err.message}`);
    const under = `--${row.name.replace(/-/g, '_')}`;
    assertInvalid([under, ...value, 'x'], { option: under, code: 'ENOTSUPPORTED' });
    if (row.short) {
      const e2 = assertInvalid([`-${row.short}`, ...value, 'x'], { option: `-${row.short}`, code: 'ENOTSUPPORTED' });
      assert.match(e2.message, new RegExp(`-${row.short} is not yet supported`));
    }
  });
}
