/**
 * validate(): Options -> Spec. The one place where options are checked and defaults are
 * applied, so every way into brig (CLI, library) rejects the same bad input with the same
 * error before anything is created. It reads the file system (stat of the root and bind
 * sources, which default directories exist) but changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrigError, invalidOption } from '../errors.js';
import type { IdMap, Mount, NamespaceName, Options, RlimitName, RlimitValue, StdioOption } from '../options.js';
import type { HostEntry, IdMapSpec, MountSpec, RlimitSpec, Spec } from '../spec.js';
import { capabilityNumber } from '../user/caps.js';
import { checkProgram, compilePolicyFile, compilePolicyText } from '../seccomp/load.js';
import { parseSize } from '../util/size.js';
import { nearest } from '../util/suggest.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Host directories replaced by empty private tmpfs under the default root. */
export const PRIVATE_DIRS = ['/home', '/root', '/run', '/tmp', '/var/tmp'];
/** The unprivileged id a root caller's inside root maps to by default. */
export const OVERFLOW_ID = 65534;
const NAMESPACES: NamespaceName[] = ['user', 'pid', 'mount', 'net', 'uts', 'ipc', 'cgroup', 'time'];
const RLIMITS: RlimitName[] = ['as', 'core', 'cpu', 'fsize', 'nofile', 'nproc', 'stack', 'memlock', 'rtprio', 'msgqueue'];
const OPTION_KEYS: (keyof Options)[] = [
  'command', 'execFile', 'root', 'rw', 'mounts', 'proc', 'env', 'keepEnv', 'cwd', 'hostname', 'namespaces',
  'uidMap', 'gidMap', 'rootOwnerIsRoot', 'rlimits', 'timeLimit', 'keepCaps', 'caps', 'noNewPrivs',
  'newSession', 'init', 'nice', 'stdin', 'stdout', 'stderr', 'input', 'passFds', 'encoding', 'maxBuffer', 'seccomp',
  'seccompFile', 'seccompLog',
];
const RLIM_INFINITY = 0xffffffffffffffffn;

export interface ValidateDefaults {
  stdio: [StdioOption, StdioOption, StdioOption];
}

export function validate(options: Options, defaults: ValidateDefaults): Spec {
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'options must be an object');
  rejectUnknownKeys(options as unknown as Record<string, unknown>, OPTION_KEYS, '');
  const command = checkCommand(options.command);
  const namespaces = resolveNamespaces(options.namespaces);
  const root = options.root === undefined ? null : checkDir('root', options.root);
  if (options.rw && root === null) {
    throw invalidOption('rw', "rw applies to a root directory given with 'root' (--chroot): the host's own root is always read-only",
      'bind a writable directory with a mount instead');
  }
  if (root !== null && !namespaces.mount) {
    // Without a mount namespace only a plain chroot is possible; brig has none of that yet.
    throw invalidOption('root', 'a root directory needs the mount namespace', 'remove namespaces.mount: false');
  }
  const euid = process.geteuid?.() ?? 0;
  const egid = process.getegid?.() ?? 0;
  const { uidMap, gidMap } = resolveIdMaps(options, namespaces.user, root, euid, egid);
  const keepsCaps = options.keepCaps || (Array.isArray(options.caps) && options.caps.length > 0);
  if (keepsCaps && namespaces.user && namespaces.mount && options.proc === false) {
    // The nested map that locks the mounts is written through /proc/self, which is
    // covered by then.
    throw new BrigError('ENOTSUPPORTED', 'keeping capabilities without /proc is not yet supported', {
      stage: 'validate', option: options.keepCaps ? 'keepCaps' : 'caps', hint: 'keep /proc, or keep no capabilities',
    });
  }
  const env = resolveEnv(options);
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  const execFile = options.execFile ?? command[0];
  const mounts = resolveMounts(options, root, namespaces);
  const mountPointsPresent = presentMountPoints(mounts, root);
  const stdio: [StdioOption, StdioOption, StdioOption] = [
    options.stdin ?? (options.input !== undefined ? 'pipe' : defaults.stdio[0]),
    options.stdout ?? defaults.stdio[1],
    options.stderr ?? defaults.stdio[2],
  ];
  stdio.forEach((s, i) => checkStdio(['stdin', 'stdout', 'stderr'][i], s));
  if (options.input !== undefined && stdio[0] !== 'pipe') {
    throw invalidOption('input', 'input needs stdin: "pipe"');
  }
  return {
    argv: command,
    execCandidates: execCandidates(execFile, pathVar),
    env,
    cwd: checkAbsolute('cwd', options.cwd ?? '/'),
    root,
    rootReadOnly: !checkBool('rw', options.rw, false),
    mounts,
    mountPointsPresent,
    syntheticRoot: root === null && needsSyntheticRoot(mounts, mountPointsPresent) ? hostRootEntries() : null,
    namespaces,
    uidMap,
    gidMap,
    uid: namespaces.user ? uidMap[0].inside : euid,
    gid: namespaces.user ? gidMap[0].inside : egid,
    hostname: checkHostname(options.hostname ?? 'brig'),
    rlimits: resolveRlimits(options.rlimits),
    timeLimitMs: checkNumber('timeLimit', options.timeLimit ?? 0, 0, 1e9) * 1000,
    keepCaps: resolveCaps(options),
    noNewPrivs: checkBool('noNewPrivs', options.noNewPrivs, true),
    newSession: checkBool('newSession', options.newSession, true),
    init: checkBool('init', options.init, false),
    nice: options.nice === undefined ? null : checkInt('nice', options.nice, -20, 19),
    seccomp: resolveSeccomp(options),
    stdio,
    input: options.input === undefined ? null : Buffer.from(options.input),
    passFds: resolvePassFds(options.passFds),
    encoding: options.encoding === undefined ? 'utf8' : checkEnum('encoding', options.encoding, ['utf8', 'buffer']),
    maxBuffer: checkInt('maxBuffer', options.maxBuffer ?? 64 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
  };
}

function rejectUnknownKeys(obj: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key) || obj[key] === undefined) continue;
    const near = nearest(key, known);
    throw invalidOption(prefix + key, `unknown option '${prefix}${key}'`, near ? `did you mean '${prefix}${near}'?` : undefined);
  }
}

function checkCommand(command: unknown): string[] {
  if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== 'string')) {
    throw invalidOption('command', 'command must be a non-empty array of strings', "e.g. command: ['sh', '-c', 'echo hi']");
  }
  if (command[0] === '') throw invalidOption('command', 'the command name is empty');
  command.forEach((a) => checkNoNul('command', a));
  return [...command];
}

function checkNoNul(option: string, s: string): string {
  if (s.includes('\0')) throw invalidOption(option, `${option} contains a NUL byte`);
  return s;
}

function checkBool(option: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw invalidOption(option, `${option} must be true or false`);
  return v;
}

function checkNumber(option: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw invalidOption(option, `${option} must be a number from ${min} to ${max}, not ${JSON.stringify(v)}`);
  }
  return v;
}

function checkInt(option: string, v: unknown, min: number, max: number): number {
  const n = checkNumber(option, v, min, max);
  if (!Number.isInteger(n)) throw invalidOption(option, `${option} must be a whole number, not ${n}`);
  return n;
}

function checkEnum<T extends string>(option: string, v: unknown, values: readonly T[]): T {
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  const near = typeof v === 'string' ? nearest(v, values) : undefined;
  throw invalidOption(option, `${option} must be one of ${values.join(', ')}, not ${JSON.stringify(v)}`,
    near ? `did you mean '${near}'?` : undefined);
}

function checkAbsolute(option: string, p: unknown): string {
  if (typeof p !== 'string' || !p.startsWith('/')) {
    throw invalidOption(option, `${option} must be an absolute path, not ${JSON.stringify(p)}`);
  }
  return path.posix.normalize(checkNoNul(option, p));
}

function checkHostname(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 64 || !/^[A-Za-z0-9._-]+$/.test(name)) {
    throw invalidOption('hostname', `hostname must be 1 to 64 letters, digits, '.', '_' or '-', not ${JSON.stringify(name)}`);
  }
  return name;
}

/** A host path that must exist; its stat, or a setup error naming it. */
function statHost(option: string, p: string): fs.Stats {
  try {
    return fs.statSync(p);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BrigError('ESETUP', `${option} does not exist or is unreachable`, {
      stage: 'mount', syscall: 'stat', errno: -(err.errno ?? -2), path: p, option,
    });
  }
}

function checkDir(option: string, p: unknown): string {
  const abs = path.resolve(checkAbsoluteOrRelative(option, p));
  if (!statHost(option, abs).isDirectory()) {
    throw new BrigError('ESETUP', `${option} is not a directory`, { stage: 'mount', errno: 20, path: abs, option });
  }
  return abs;
}

function checkAbsoluteOrRelative(option: string, p: unknown): string {
  if (typeof p !== 'string' || p === '') throw invalidOption(option, `${option} must be a path`);
  return checkNoNul(option, p);
}

function resolveNamespaces(ns: Options['namespaces']): Record<NamespaceName, boolean> {
  const out = Object.fromEntries(NAMESPACES.map((n) => [n, true])) as Record<NamespaceName, boolean>;
  if (ns === undefined) return out;
  if (ns === null || typeof ns !== 'object') throw invalidOption('namespaces', 'namespaces must be an object');
  rejectUnknownKeys(ns as Record<string, unknown>, NAMESPACES, 'namespaces.');
  for (const n of NAMESPACES) out[n] = checkBool(`namespaces.${n}`, ns[n], true);
  if (!out.user && (process.geteuid?.() ?? 0) !== 0) {
    throw invalidOption('namespaces.user', 'only root can create the other namespaces without a user namespace',
      'keep the user namespace on');
  }
  return out;
}

function resolveIdMaps(options: Options, userns: boolean, root: string | null, euid: number, egid: number) {
  if (!userns) {
    if (options.uidMap?.length || options.gidMap?.length || options.rootOwnerIsRoot) {
      throw invalidOption(options.uidMap?.length ? 'uidMap' : options.gidMap?.length ? 'gidMap' : 'rootOwnerIsRoot',
        'id maps need the user namespace');
    }
    return { uidMap: [], gidMap: [] };
  }
  let defaultUid = euid === 0 ? OVERFLOW_ID : euid;
  let defaultGid = euid === 0 ? OVERFLOW_ID : egid;
  if (checkBool('rootOwnerIsRoot', options.rootOwnerIsRoot, false)) {
    if (root === null) {
      // The host's root belongs to root: this would map the host's root in, unasked.
      throw invalidOption('rootOwnerIsRoot', 'rootOwnerIsRoot needs a root directory (root, --chroot)', 'map ids explicitly with uidMap/gidMap (-u/-g) instead');
    }
    const st = statHost('root', root);
    defaultUid = st.uid;
    defaultGid = st.gid;
  }
  return {
    uidMap: resolveIdMap('uidMap', options.uidMap, defaultUid, euid),
    gidMap: resolveIdMap('gidMap', options.gidMap, defaultGid, egid),
  };
}

function resolveIdMap(option: string, maps: IdMap[] | undefined, dfltOutside: number, own: number): IdMapSpec[] {
  if (maps === undefined || maps.length === 0) return [{ inside: 0, outside: dfltOutside, count: 1, useNewidmap: false }];
  if (!Array.isArray(maps)) throw invalidOption(option, `${option} must be an array`);
  const out = maps.map((m, i) => {
    const name = `${option}[${i}]`;
    if (m === null || typeof m !== 'object') throw invalidOption(name, `${name} must be an object`);
    rejectUnknownKeys(m as unknown as Record<string, unknown>, ['inside', 'outside', 'count', 'useNewidmap'], `${name}.`);
    const inside = checkInt(`${name}.inside`, m.inside, 0, 0xfffffffe);
    const outside = checkInt(`${name}.outside`, m.outside ?? dfltOutside, 0, 0xfffffffe);
    const count = checkInt(`${name}.count`, m.count ?? 1, 1, 0xffffffff - Math.max(inside, outside));
    // Without privilege only the caller's own id can be mapped directly; anything else
    // goes through the setuid helper, which checks /etc/subuid and /etc/subgid.
    const needsHelper = own !== 0 && (outside !== own || count !== 1);
    return { inside, outside, count, useNewidmap: checkBool(`${name}.useNewidmap`, m.useNewidmap, false) || needsHelper };
  });
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = out[i], b = out[j];
      if (a.inside < b.inside + b.count && b.inside < a.inside + a.count) {
        throw invalidOption(`${option}[${i}]`, `${option}[${i}] overlaps ${option}[${j}] inside the sandbox`);
      }
      if (a.outside < b.outside + b.count && b.outside < a.outside + a.count) {
        throw invalidOption(`${option}[${i}]`, `${option}[${i}] overlaps ${option}[${j}] outside the sandbox`);
      }
    }
  }
  if (out.length > 340) throw invalidOption(option, `${option} has more than 340 lines, the kernel's limit`);
  if (out.some((m) => m.useNewidmap) && out.some((m) => !m.useNewidmap) && own !== 0) {
    for (const m of out) m.useNewidmap = true;
  }
  return out;
}

function resolveEnv(options: Options): string[] {
  const env: Record<string, string> = {};
  if (checkBool('keepEnv', options.keepEnv, false)) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  } else {
    env.PATH = DEFAULT_PATH;
  }
  if (options.env !== undefined) {
    if (options.env === null || typeof options.env !== 'object') throw invalidOption('env', 'env must be an object of strings');
    for (const [k, v] of Object.entries(options.env)) {
      if (k === '' || k.includes('=') || k.includes('\0') || typeof v !== 'string') {
        throw invalidOption(`env.${k}`, `env entries must be NAME: 'value' strings (got ${JSON.stringify(k)})`);
      }
      env[k] = checkNoNul(`env.${k}`, v);
    }
  }
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/** The PATH search, done here so the child only tries paths in order (execvp without the
 *  /bin/sh fallback). */
export function execCandidates(file: string, pathVar: string): string[] {
  if (file.includes('/')) return [file];
  return pathVar.split(':').map((dir) => (dir === '' ? file : `${dir.replace(/\/+$/, '')}/${file}`));
}

function resolveMounts(options: Options, root: string | null, ns: Record<NamespaceName, boolean>): MountSpec[] {
  const out: MountSpec[] = [];
  const proc = checkBool('proc', options.proc, true);
  const user = options.mounts ?? [];
  if (!Array.isArray(user)) throw invalidOption('mounts', 'mounts must be an array');
  if (!ns.mount) {
    if (user.length > 0) throw invalidOption('mounts', 'mounts need the mount namespace');
    return out;
  }
  if (proc) out.push({ type: 'proc', target: '/proc', readOnly: false });
  // Without a fresh /proc the host's own would show through the default root: cover it.
  else if (root === null) out.push({ type: 'tmpfs', target: '/proc', mode: 0o555, readOnly: true });
  const base = root ?? '/';
  const privateDirs = root === null ? PRIVATE_DIRS : ['/tmp'];
  for (const dir of privateDirs) {
    // A symlinked /home (-> var/home, as on image-based distributions) is covered too:
    // the mount follows the link, inside the sandbox's root.
    if (isDir(path.join(base, dir))) {
      out.push({ type: 'tmpfs', target: dir, mode: dir.endsWith('tmp') ? 0o1777 : 0o755, readOnly: false });
    }
  }
  user.forEach((m, i) => out.push(resolveMount(`mounts[${i}]`, m)));
  return out;
}

/** Mount targets that certainly exist when their mount happens: present in the root and
 *  not under an earlier mount (a tmpfs, /proc, /dev or a bind replaces what was there). */
function presentMountPoints(mounts: MountSpec[], root: string | null): string[] {
  const covering: string[] = root === null ? ['/dev'] : [];
  const present: string[] = [];
  for (const m of mounts) {
    const target = m.type === 'symlink' ? m.path : m.target;
    const covered = covering.some((c) => target === c || target.startsWith(c === '/' ? '/' : `${c}/`));
    if (m.type !== 'symlink' && !covered && existsNoFollow(path.join(root ?? '/', target))) present.push(target);
    if (m.type !== 'symlink') covering.push(target);
  }
  return present;
}

function existsNoFollow(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** A mount point is missing, and not inside a tmpfs brig mounts first: only a tmpfs root
 *  can hold it. (Deeper paths in the host's tree still cannot be created.) */
function needsSyntheticRoot(mounts: MountSpec[], present: string[]): boolean {
  const tmpfsTargets = mounts.filter((m) => m.type === 'tmpfs').map((m) => (m as { target: string }).target);
  return mounts.some((m) => {
    const target = m.type === 'symlink' ? m.path : m.target;
    if (present.includes(target)) return false;
    if (tmpfsTargets.some((t) => target.startsWith(`${t}/`))) return false;
    const top = `/${target.split('/').filter(Boolean)[0] ?? ''}`;
    return !existsNoFollow(top);
  });
}

function hostRootEntries(): HostEntry[] {
  return fs.readdirSync('/', { withFileTypes: true }).map((d): HostEntry => {
    if (d.isSymbolicLink()) return { name: d.name, kind: 'symlink', link: fs.readlinkSync(`/${d.name}`) };
    return { name: d.name, kind: d.isDirectory() ? 'dir' : 'file' };
  });
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function resolveMount(name: string, m: Mount): MountSpec {
  if (m === null || typeof m !== 'object') throw invalidOption(name, `${name} must be an object`);
  checkEnum(`${name}.type`, m.type, ['bind', 'tmpfs', 'proc', 'symlink'] as const);
  switch (m.type) {
    case 'bind': {
      rejectUnknownKeys(m as unknown as Record<string, unknown>, ['type', 'source', 'target', 'readOnly'], `${name}.`);
      const source = path.resolve(checkAbsoluteOrRelative(`${name}.source`, m.source));
      const st = statHost(`${name}.source`, source);
      const target = checkAbsolute(`${name}.target`, m.target ?? source);
      return { type: 'bind', source, target, readOnly: checkBool(`${name}.readOnly`, m.readOnly, false), isDir: st.isDirectory() };
    }
    case 'tmpfs': {
      rejectUnknownKeys(m as unknown as Record<string, unknown>, ['type', 'target', 'size', 'mode', 'readOnly'], `${name}.`);
      const size = m.size === undefined ? undefined : parseSize(m.size);
      if (m.size !== undefined && size === undefined) {
        throw invalidOption(`${name}.size`, `${name}.size is not a size: ${JSON.stringify(m.size)}`, "e.g. '64M'");
      }
      return {
        type: 'tmpfs', target: checkAbsolute(`${name}.target`, m.target), size,
        mode: checkInt(`${name}.mode`, m.mode ?? 0o755, 0, 0o7777), readOnly: checkBool(`${name}.readOnly`, m.readOnly, false),
      };
    }
    case 'proc':
      rejectUnknownKeys(m as unknown as Record<string, unknown>, ['type', 'target', 'readOnly'], `${name}.`);
      return { type: 'proc', target: checkAbsolute(`${name}.target`, m.target ?? '/proc'), readOnly: checkBool(`${name}.readOnly`, m.readOnly, false) };
    default: {
      const s = m as { target: unknown; path: unknown };
      rejectUnknownKeys(m as unknown as Record<string, unknown>, ['type', 'target', 'path'], `${name}.`);
      if (typeof s.target !== 'string' || s.target === '') throw invalidOption(`${name}.target`, `${name}.target must be the link's text`);
      return { type: 'symlink', target: checkNoNul(`${name}.target`, s.target), path: checkAbsolute(`${name}.path`, s.path) };
    }
  }
}

function resolveRlimits(rl: Options['rlimits']): RlimitSpec[] {
  if (rl === undefined) return [];
  if (rl === null || typeof rl !== 'object') throw invalidOption('rlimits', 'rlimits must be an object');
  rejectUnknownKeys(rl as Record<string, unknown>, RLIMITS, 'rlimits.');
  const out: RlimitSpec[] = [];
  for (const name of RLIMITS) {
    const v = rl[name];
    if (v === undefined) continue;
    if (typeof v === 'object' && v !== null && typeof v !== 'bigint') {
      out.push({ name, soft: rlimitValue(name, v.soft), hard: rlimitValue(name, v.hard) });
    } else {
      const n = rlimitValue(name, v);
      out.push({ name, soft: n, hard: n });
    }
    const last = out[out.length - 1];
    if (last.soft >= 0n && last.hard >= 0n && last.soft > last.hard) {
      throw invalidOption(`rlimits.${name}`, `rlimits.${name}: soft limit above hard limit`);
    }
  }
  return out;
}

/** Keywords that refer to the current limits are encoded as negative sentinels and
 *  resolved when the plan is made: -1n = current soft, -2n = current hard. */
export const RLIMIT_CURRENT_SOFT = -1n;
export const RLIMIT_CURRENT_HARD = -2n;

function rlimitValue(name: RlimitName, v: RlimitValue | undefined): bigint {
  const option = `rlimits.${name}`;
  if (typeof v === 'bigint') {
    if (v < 0n || v > RLIM_INFINITY) throw invalidOption(option, `${option} is out of range`);
    return v;
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw invalidOption(option, `${option} must be a whole number >= 0, not ${v}`);
    return BigInt(v);
  }
  if (typeof v === 'string') {
    const k = v.toLowerCase();
    if (k === 'inf' || k === 'infinity' || k === 'unlimited') return RLIM_INFINITY;
    if (k === 'max' || k === 'hard') return RLIMIT_CURRENT_HARD;
    if (k === 'def' || k === 'soft') return RLIMIT_CURRENT_SOFT;
    const n = parseSize(v);
    if (n !== undefined) return BigInt(n);
  }
  throw invalidOption(option, `${option} must be a number, a size like '64M', or inf/max/def, not ${JSON.stringify(v)}`);
}

function resolveCaps(options: Options): number[] | null {
  if (checkBool('keepCaps', options.keepCaps, false)) return null;
  const caps = options.caps ?? [];
  if (!Array.isArray(caps)) throw invalidOption('caps', 'caps must be an array of capability names');
  return caps.map((c, i) => {
    const n = typeof c === 'string' ? capabilityNumber(c) : undefined;
    if (n === undefined) throw invalidOption(`caps[${i}]`, `unknown capability ${JSON.stringify(c)}`, 'e.g. CAP_NET_ADMIN');
    return n;
  });
}

const SECCOMP_FILTER_FLAG_LOG = 2;

function resolveSeccomp(options: Options): Spec['seccomp'] {
  const { seccomp: p, seccompFile: file } = options;
  const log = checkBool('seccompLog', options.seccompLog, false);
  if (p === undefined && file === undefined) {
    if (log) throw invalidOption('seccompLog', 'seccompLog needs a filter (seccomp or seccompFile)');
    return null;
  }
  if (p !== undefined && file !== undefined) {
    throw invalidOption('seccompFile', 'give a seccomp policy as text or as a file, not both', 'nsjail refuses both --seccomp_policy and --seccomp_string too');
  }
  let program: Uint8Array;
  if (file !== undefined) program = compilePolicyFile('seccompFile', checkAbsoluteOrRelative('seccompFile', file));
  else if (typeof p === 'string') program = compilePolicyText('seccomp', p);
  else if (p instanceof Uint8Array) program = checkProgram('seccomp', p);
  else throw invalidOption('seccomp', 'seccomp must be Kafel policy text or a compiled program (a Uint8Array of struct sock_filter)');
  return { program, flags: log ? SECCOMP_FILTER_FLAG_LOG : 0 };
}

function resolvePassFds(fds: number[] | undefined): number[] {
  if (fds === undefined) return [];
  if (!Array.isArray(fds)) throw invalidOption('passFds', 'passFds must be an array of fd numbers');
  const out: number[] = [];
  for (const [i, fd] of fds.entries()) {
    checkInt(`passFds[${i}]`, fd, 0, 1 << 20);
    if (fd <= 2) continue; // stdio is always there, shaped by stdin/stdout/stderr
    // As in nsjail, an fd that is not open is simply not passed.
    try {
      fs.fstatSync(fd);
    } catch {
      continue;
    }
    if (!out.includes(fd)) out.push(fd);
  }
  return out;
}

function checkStdio(name: string, s: StdioOption): void {
  if (s === 'inherit' || s === 'ignore' || s === 'pipe') return;
  if (typeof s === 'number' && Number.isInteger(s) && s >= 0) return;
  if (s !== null && typeof s === 'object' && typeof (s as { pipe?: unknown }).pipe === 'function') return;
  if (s !== null && typeof s === 'object' && typeof (s as { write?: unknown }).write === 'function') return;
  throw invalidOption(name, `${name} must be 'inherit', 'ignore', 'pipe', an fd or a stream`);
}
