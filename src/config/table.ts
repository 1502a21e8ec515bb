/**
 * The option table: one row per option. CLI parsing (through getopt), `brig run --help`,
 * docs/options.md and the mapping onto library Options all come from these rows, so a
 * new option is one row. nsjail's underscore spellings and short letters are aliases of
 * the same row; every long name also works with '-' and '_' swapped.
 *
 * Rows whose subsystem is not built yet carry `pending`: they parse, then fail with
 * ENOTSUPPORTED, so no accepted option is ever silently ignored.
 */
import { BrigError, invalidOption, notSupported } from '../errors.js';
import type { IdMap, Mount, NamespaceName, Options, RlimitName } from '../options.js';
import { capabilityNumber } from '../user/caps.js';
import { lookupId } from '../user/passwd.js';
import { parseSize } from '../util/size.js';

export type Group = 'Command' | 'Filesystem' | 'Identity' | 'Namespaces' | 'Limits' | 'Process' | 'Pending';

export interface OptionRow {
  /** Canonical long name, kebab-case. */
  name: string;
  /** Other long names (nsjail's and other tools' spellings), without dashes. */
  aliases?: string[];
  /** Short letter. */
  short?: string;
  /** Metavariable for the value; absent for flags. */
  arg?: string;
  help: string;
  group: Group;
  /** Where the value lands in the library's Options, for the docs. */
  library?: string;
  /** Subsystem that is not built yet: the option is refused with ENOTSUPPORTED. */
  pending?: string;
  /** May be given more than once (values accumulate). */
  repeatable?: boolean;
  apply?: (opts: CliOptions, value: string, flag: string) => void;
}

/** Options plus what only the command line can say. */
export interface CliOptions extends Options {
  command: string[];
}

const NS_FLAGS: [NamespaceName, string][] = [
  ['net', 'N'], ['user', ''], ['mount', ''], ['pid', ''], ['ipc', ''], ['uts', ''], ['cgroup', ''],
];
const NS_NSJAIL: Record<NamespaceName, string> = {
  net: 'newnet', user: 'newuser', mount: 'newns', pid: 'newpid', ipc: 'newipc', uts: 'newuts', cgroup: 'newcgroup', time: 'newtime',
};

/** nsjail's rlimit units: a plain number is multiplied by these. */
const RLIMIT_UNITS: [RlimitName, number, string][] = [
  ['as', 1024 * 1024, 'MiB'], ['core', 1024 * 1024, 'MiB'], ['cpu', 1, 'seconds'], ['fsize', 1024 * 1024, 'MiB'],
  ['nofile', 1, 'count'], ['nproc', 1, 'count'], ['stack', 1024 * 1024, 'MiB'], ['memlock', 1024, 'KiB'],
  ['rtprio', 1, 'value'], ['msgqueue', 1, 'bytes'],
];

function setNs(o: CliOptions, ns: NamespaceName, on: boolean): void {
  o.namespaces = { ...o.namespaces, [ns]: on };
}

function addMount(o: CliOptions, m: Mount): void {
  o.mounts = [...(o.mounts ?? []), m];
}

function intValue(flag: string, v: string, min: number, max: number): number {
  // Like strtol(base 0) but strict: trailing garbage is an error, not ignored.
  const m = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(v.trim());
  const magnitude = !m ? NaN : /^0x/i.test(m[2]) ? parseInt(m[2].slice(2), 16) : m[2].length > 1 && m[2][0] === '0' ? parseInt(m[2], 8) : Number(m[2]);
  const n = m?.[1] === '-' ? -magnitude : magnitude;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalidOption(flag, `${flag} needs a whole number from ${min} to ${max}, not '${v}'`);
  }
  return n;
}

/** `inside[:outside[:count]]`, ids as numbers or names. */
function idMapValue(flag: string, v: string, kind: 'user' | 'group', newidmap: boolean): IdMap {
  const parts = v.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw invalidOption(flag, `${flag} takes inside[:outside[:count]], not '${v}'`, 'e.g. -u 0:1000:1');
  }
  const id = (p: string) => (/^\d+$/.test(p) ? intValue(flag, p, 0, 0xfffffffe) : lookupId(kind, p) ?? fail(flag, `unknown ${kind} '${p}'`));
  const m: IdMap = { inside: id(parts[0]) };
  if (parts[1] !== undefined) m.outside = id(parts[1]);
  if (parts[2] !== undefined) m.count = intValue(flag, parts[2], 1, 0xffffffff);
  if (newidmap) m.useNewidmap = true;
  return m;
}

function fail(flag: string, what: string): never {
  throw invalidOption(flag, `${flag}: ${what}`);
}

/** SRC[:DST] as -R and -B take them. */
function bindValue(flag: string, v: string, readOnly: boolean): Mount {
  const parts = v.split(':');
  if (parts.length > 2 || parts[0] === '') {
    throw invalidOption(flag, `${flag} takes SRC or SRC:DST, not '${v}'`, readOnly ? 'e.g. -R /etc:/etc' : 'e.g. -B /srv/data:/data');
  }
  return { type: 'bind', source: parts[0], target: parts[1] || parts[0], readOnly };
}

/** DST[:size=N,mode=M] for -T. */
function tmpfsValue(flag: string, v: string): Mount {
  const [target, opts] = splitOnce(v, ':');
  const m: Mount = { type: 'tmpfs', target };
  for (const kv of opts ? opts.split(',') : []) {
    const [k, val] = splitOnce(kv, '=');
    if (k === 'size' && val && parseSize(val) !== undefined) m.size = val;
    else if (k === 'mode' && val && /^[0-7]{1,4}$/.test(val)) m.mode = parseInt(val, 8);
    else throw invalidOption(flag, `${flag}: unknown tmpfs option '${kv}'`, 'options are size=SIZE and mode=OCTAL, e.g. -T /scratch:size=64M,mode=1777');
  }
  return m;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function rlimitValue(flag: string, v: string, unit: number): string | number {
  const k = v.toLowerCase();
  if (['max', 'hard', 'def', 'soft', 'inf'].includes(k)) return k;
  if (/^\d+$/.test(v)) return intValue(flag, v, 0, Number.MAX_SAFE_INTEGER / unit) * unit;
  if (/[kmgt]/i.test(v) && parseSize(v) !== undefined) return v;
  throw invalidOption(flag, `${flag} needs a number, a size like 64M, or max/def/inf, not '${v}'`);
}

const pending = (name: string, subsystem: string, help: string, arg?: string, short?: string): OptionRow =>
  ({ name, short, arg, help, group: 'Pending', pending: subsystem });

export const OPTIONS: OptionRow[] = [
  // Command
  { name: 'exec-file', short: 'x', arg: 'PATH', group: 'Command', library: 'execFile', help: 'Run PATH instead of the first word of the command (which stays argv[0])', apply: (o, v) => { o.execFile = v; } },
  { name: 'cwd', short: 'D', arg: 'DIR', group: 'Command', library: 'cwd', help: 'Working directory inside the sandbox (default /)', apply: (o, v) => { o.cwd = v; } },
  { name: 'env', short: 'E', arg: 'VAR[=VALUE]', group: 'Command', library: 'env', repeatable: true, help: "Set VAR in the command's environment; a bare VAR copies brig's own value", apply: (o, v, f) => {
    const [k, val] = splitOnce(v, '=');
    if (k === '') throw invalidOption(f, `${f} needs VAR=VALUE or VAR, not '${v}'`);
    const value = val ?? process.env[k];
    if (value === undefined) throw invalidOption(f, `${f} ${k}: brig has no ${k} to copy`, `give a value: -E ${k}=...`);
    o.env = { ...o.env, [k]: value };
  } },
  { name: 'keep-env', short: 'e', group: 'Command', library: 'keepEnv', help: "Start from brig's own environment instead of a clean one", apply: (o) => { o.keepEnv = true; } },
  { name: 'init', group: 'Command', library: 'init', help: 'Run a small reaper as PID 1 that forwards signals to the command and reports its status', apply: (o) => { o.init = true; } },
  { name: 'time-limit', short: 't', arg: 'SECONDS', group: 'Limits', library: 'timeLimit', help: 'Kill the whole sandbox after SECONDS of wall-clock time (0 = no limit)', apply: (o, v, f) => { o.timeLimit = intValue(f, v, 0, 1e9); } },
  { name: 'silent', group: 'Command', library: 'stdin/stdout/stderr', help: "Connect the command's stdin, stdout and stderr to /dev/null", apply: (o) => { o.stdin = o.stdout = o.stderr = 'ignore'; } },
  { name: 'stderr-to-null', group: 'Command', library: 'stderr', help: "Connect the command's stderr to /dev/null", apply: (o) => { o.stderr = 'ignore'; } },
  { name: 'pass-fd', arg: 'FD', group: 'Command', library: 'passFds', repeatable: true, help: 'Keep file descriptor FD open, with the same number, inside (ignored when FD is not open, as in nsjail)', apply: (o, v, f) => { o.passFds = [...(o.passFds ?? []), intValue(f, v, 0, 1 << 20)]; } },

  // Filesystem
  { name: 'chroot', short: 'c', arg: 'DIR', group: 'Filesystem', library: 'root', help: "Use DIR as the root (default: the host's / read-only, with private /home /root /run /tmp /var/tmp)", apply: (o, v) => { o.root = v; } },
  { name: 'rw', group: 'Filesystem', library: 'rw', help: 'Leave the --chroot root writable', apply: (o) => { o.rw = true; } },
  { name: 'bindmount-ro', aliases: ['bind-ro', 'ro-bind'], short: 'R', arg: 'SRC[:DST]', group: 'Filesystem', library: 'mounts', repeatable: true, help: 'Bind SRC read-only at DST (default: the same path)', apply: (o, v, f) => addMount(o, bindValue(f, v, true)) },
  { name: 'bindmount', aliases: ['bind'], short: 'B', arg: 'SRC[:DST]', group: 'Filesystem', library: 'mounts', repeatable: true, help: 'Bind SRC read-write at DST (default: the same path)', apply: (o, v, f) => addMount(o, bindValue(f, v, false)) },
  { name: 'tmpfsmount', aliases: ['tmpfs'], short: 'T', arg: 'DST[:size=N,mode=M]', group: 'Filesystem', library: 'mounts', repeatable: true, help: 'Mount an empty tmpfs at DST', apply: (o, v, f) => addMount(o, tmpfsValue(f, v)) },
  { name: 'symlink', short: 's', arg: 'TARGET:LINK', group: 'Filesystem', library: 'mounts', repeatable: true, help: 'Create the symlink LINK pointing to TARGET', apply: (o, v, f) => {
    const [target, link] = splitOnce(v, ':');
    if (!target || !link) throw invalidOption(f, `${f} takes TARGET:LINK, not '${v}'`);
    addMount(o, { type: 'symlink', target, path: link });
  } },
  { name: 'disable-proc', group: 'Filesystem', library: 'proc', help: 'Do not mount a fresh /proc', apply: (o) => { o.proc = false; } },

  // Identity
  { name: 'user', short: 'u', arg: 'IN[:OUT[:COUNT]]', group: 'Identity', library: 'uidMap', repeatable: true, help: 'Map uids: COUNT ids from OUT outside appear as IN inside; the first IN is the uid the command runs as (default 0, mapped to 65534 for a root caller, to your own uid otherwise)', apply: (o, v, f) => { o.uidMap = [...(o.uidMap ?? []), idMapValue(f, v, 'user', false)]; } },
  { name: 'group', short: 'g', arg: 'IN[:OUT[:COUNT]]', group: 'Identity', library: 'gidMap', repeatable: true, help: 'Map gids, like --user', apply: (o, v, f) => { o.gidMap = [...(o.gidMap ?? []), idMapValue(f, v, 'group', false)]; } },
  { name: 'uid-mapping', short: 'U', arg: 'IN:OUT:COUNT', group: 'Identity', library: 'uidMap[].useNewidmap', repeatable: true, help: 'Map uids through the setuid newuidmap helper (/etc/subuid)', apply: (o, v, f) => { o.uidMap = [...(o.uidMap ?? []), idMapValue(f, v, 'user', true)]; } },
  { name: 'gid-mapping', short: 'G', arg: 'IN:OUT:COUNT', group: 'Identity', library: 'gidMap[].useNewidmap', repeatable: true, help: 'Map gids through the setuid newgidmap helper (/etc/subgid)', apply: (o, v, f) => { o.gidMap = [...(o.gidMap ?? []), idMapValue(f, v, 'group', true)]; } },
  { name: 'root-owner-is-root', group: 'Identity', library: 'rootOwnerIsRoot', help: "Map the owner of the root directory to uid/gid 0 inside (tinyjail's rule)", apply: (o) => { o.rootOwnerIsRoot = true; } },
  { name: 'keep-caps', group: 'Identity', library: 'keepCaps', help: "Keep the sandbox root's capabilities across exec (read-only mounts stay locked)", apply: (o) => { o.keepCaps = true; } },
  { name: 'cap', arg: 'CAP_NAME', group: 'Identity', library: 'caps', repeatable: true, help: 'Keep one capability, e.g. CAP_NET_ADMIN', apply: (o, v, f) => {
    if (capabilityNumber(v) === undefined) throw invalidOption(f, `${f}: unknown capability '${v}'`, 'e.g. --cap CAP_NET_ADMIN');
    o.caps = [...(o.caps ?? []), v];
  } },
  { name: 'disable-no-new-privs', group: 'Identity', library: 'noNewPrivs', help: 'Do not set no_new_privs (lets setuid binaries gain privileges)', apply: (o) => { o.noNewPrivs = false; } },
  { name: 'skip-setsid', group: 'Identity', library: 'newSession', help: "Stay in brig's session (the command can then inject input into your terminal)", apply: (o) => { o.newSession = false; } },

  // Namespaces
  ...NS_FLAGS.map(([ns, short]): OptionRow => ({
    name: `disable-clone-${NS_NSJAIL[ns]}`, short: short || undefined, group: 'Namespaces', library: `namespaces.${ns}`,
    help: `Share the host's ${ns} namespace`, apply: (o) => setNs(o, ns, false),
  })),
  { name: 'disable-clone-newtime', group: 'Namespaces', library: 'namespaces.time', help: "Share the host's time namespace", apply: (o) => setNs(o, 'time', false) },
  { name: 'enable-clone-newtime', group: 'Namespaces', library: 'namespaces.time', help: 'Use a new time namespace (on by default in brig run)', apply: (o) => setNs(o, 'time', true) },
  { name: 'enable-clone-newcgroup', group: 'Namespaces', library: 'namespaces.cgroup', help: 'Use a new cgroup namespace (on by default)', apply: (o) => setNs(o, 'cgroup', true) },
  { name: 'hostname', short: 'H', arg: 'NAME', group: 'Namespaces', library: 'hostname', help: 'Hostname inside the sandbox (default brig)', apply: (o, v) => { o.hostname = v; } },

  // Limits
  ...RLIMIT_UNITS.map(([name, unit, unitName]): OptionRow => ({
    name: `rlimit-${name}`, arg: 'VALUE', group: 'Limits', library: `rlimits.${name}`,
    help: `RLIMIT_${name.toUpperCase()} in ${unitName} (or a size like 64M, or max, def, inf)`,
    apply: (o, v, f) => { o.rlimits = { ...o.rlimits, [name]: rlimitValue(f, v, unit) }; },
  })),
  { name: 'disable-rlimits', group: 'Limits', library: 'rlimits', help: "Set no rlimits: inherit brig's (drops earlier --rlimit-* options)", apply: (o) => { o.rlimits = {}; } },
  { name: 'nice-level', arg: 'N', group: 'Limits', library: 'nice', help: 'Nice level of the command (-20 to 19)', apply: (o, v, f) => { o.nice = intValue(f, v, -20, 19); } },

  // Accepted, not built yet: each names the subsystem that will provide it.
  pending('mode', 'the nsjail face and its modes', 'Mode: o(nce), e(xecve), r(erun), l(isten)', 'MODE', 'M'),
  pending('config', 'the nsjail face and its config files', 'Read an nsjail config file', 'FILE', 'C'),
  pending('execute-fd', 'the nsjail face', 'Execute the command through an fd opened before the namespaces'),
  pending('no-pivotroot', 'the nsjail face', 'Use MS_MOVE and chroot instead of pivot_root'),
  pending('proc-path', 'the nsjail face', 'Mount /proc at PATH', 'PATH'),
  pending('proc-rw', 'the nsjail face', 'Mount /proc read-write'),
  pending('experimental-mnt', 'the nsjail face', 'Mount API selection', 'new|old|auto'),
  pending('mount', 'generic mounts (the nsjail face)', 'Mount SRC:DST:FSTYPE:OPTIONS', 'SRC:DST:FSTYPE:OPTS', 'm'),
  pending('tmpfs-size', 'the nsjail face', 'Size of tmpfs mounts', 'BYTES'),
  pending('max-cpus', 'CPU affinity', 'Pin to N CPUs', 'N'),
  pending('oom-score-adj', 'OOM score adjustment', 'oom_score_adj of the command', 'N'),
  pending('persona-addr-compat-layout', 'personality flags', 'personality(ADDR_COMPAT_LAYOUT)'),
  pending('persona-mmap-page-zero', 'personality flags', 'personality(MMAP_PAGE_ZERO)'),
  pending('persona-read-implies-exec', 'personality flags', 'personality(READ_IMPLIES_EXEC)'),
  pending('persona-addr-limit-3gb', 'personality flags', 'personality(ADDR_LIMIT_3GB)'),
  pending('persona-addr-no-randomize', 'personality flags', 'personality(ADDR_NO_RANDOMIZE)'),
  pending('disable-tsc', 'prctl(PR_SET_TSC)', 'Make RDTSC fault'),
  pending('use-core-scheduling', 'core scheduling', 'Use a core-scheduling cookie'),
  ...['cgroup-mem-max', 'cgroup-mem-memsw-max', 'cgroup-mem-swap-max', 'cgroup-mem-mount', 'cgroup-mem-parent', 'cgroup-pids-max',
    'cgroup-pids-mount', 'cgroup-pids-parent', 'cgroup-net-cls-classid', 'cgroup-net-cls-mount', 'cgroup-net-cls-parent',
    'cgroup-cpu-ms-per-sec', 'cgroup-cpu-mount', 'cgroup-cpu-parent', 'cgroupv2-mount'].map((n) => pending(n, 'cgroups', `nsjail's --${n.replace(/-/g, '_')}`, 'VALUE')),
  pending('use-cgroupv2', 'cgroups', "nsjail's --use_cgroupv2"),
  pending('detect-cgroupv2', 'cgroups', "nsjail's --detect_cgroupv2"),
  pending('iface-no-lo', 'networking', 'Do not bring up loopback'),
  pending('iface-own', 'networking', 'Move a host interface into the sandbox', 'IFACE'),
  pending('macvlan-iface', 'networking', 'Create a macvlan on IFACE', 'IFACE', 'I'),
  ...['macvlan-vs-ip', 'macvlan-vs-nm', 'macvlan-vs-gw', 'macvlan-vs-ma', 'macvlan-vs-mo'].map((n) => pending(n, 'networking', `nsjail's --${n.replace(/-/g, '_')}`, 'VALUE')),
  pending('user-net', 'networking', 'User-mode networking'),
  pending('port', 'listen mode (the nsjail face)', 'Listen on TCP PORT', 'PORT', 'p'),
  pending('bindhost', 'listen mode (the nsjail face)', 'Listen address', 'IP'),
  pending('max-conns', 'listen mode (the nsjail face)', 'Maximum connections', 'N'),
  pending('max-conns-per-ip', 'listen mode (the nsjail face)', 'Maximum connections per IP', 'N', 'i'),
  { name: 'seccomp-policy', short: 'P', arg: 'FILE', group: 'Process', library: 'seccompFile', help: 'Install the seccomp filter compiled from this Kafel policy file (#include is relative to it)', apply: (o, v) => { o.seccompFile = v; } },
  { name: 'seccomp-string', arg: 'POLICY', group: 'Process', library: 'seccomp', repeatable: true, help: 'Install the seccomp filter compiled from this Kafel policy text (repeated: the pieces are joined by newlines)', apply: (o, v) => {
    o.seccomp = typeof o.seccomp === 'string' ? `${o.seccomp}\n${v}` : v;
  } },
  { name: 'seccomp-log', group: 'Process', library: 'seccompLog', help: "Have the kernel log the filter's actions", apply: (o) => { o.seccompLog = true; } },
  pending('seccomp-unotify', 'seccomp', 'Trace file and network syscalls'),
  pending('seccomp-unotify-report', 'seccomp', 'Trace report file', 'FILE'),
  pending('log', 'logging (the nsjail face)', 'Log file', 'FILE', 'l'),
  pending('log-fd', 'logging (the nsjail face)', 'Log fd', 'FD', 'L'),
  pending('verbose', 'logging (the nsjail face)', 'Verbose logging', undefined, 'v'),
  pending('quiet', 'logging (the nsjail face)', 'Warnings and errors only', undefined, 'q'),
  pending('really-quiet', 'logging (the nsjail face)', 'Fatal errors only', undefined, 'Q'),
  pending('daemon', 'the nsjail face', 'Daemonize', undefined, 'd'),
  pending('forward-signals', 'the nsjail face', 'Forward SIGINT/SIGTERM to the command'),
];

/** Long names of a row: canonical, aliases, and each with '-' and '_' swapped. */
export function longNames(row: OptionRow): string[] {
  const names = [row.name, ...(row.aliases ?? [])];
  return [...new Set(names.flatMap((n) => [n, n.replace(/-/g, '_'), n.replace(/_/g, '-')]))];
}

/** Apply one parsed occurrence of a row. */
export function applyRow(row: OptionRow, opts: CliOptions, value: string | undefined, flag: string): void {
  if (row.pending) throw notSupported(flag, row.pending);
  if (!row.apply) throw new BrigError('ENOTSUPPORTED', `${flag} has no effect yet`, { stage: 'validate', option: flag });
  row.apply(opts, value ?? '', flag);
}
