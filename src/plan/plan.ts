/**
 * plan(): Spec -> Plan. The whole order of a launch, readable top to bottom in one
 * function: clone flags, then the child's operations (private mounts, sources opened,
 * read-only root -> hostname -> loopback -> session -> keyring -> wait for the parent's id
 * maps -> ids -> /dev and the other mounts -> pivot_root -> lock mounts -> rlimits -> ids ->
 * capabilities -> cwd -> fds -> parent-death signal -> no_new_privs -> exec). Pure: the
 * runtime supplies everything it had to look up (staging dir, fds, current rlimits).
 */
import type { RlimitName } from '../options.js';
import type { Spec } from '../spec.js';
import { RLIMIT_CURRENT_HARD, RLIMIT_CURRENT_SOFT } from '../config/validate.js';
import { planMounts } from '../mount/plan-mounts.js';
import { CLONE, O_PATH, REPORT_SOCKET, SIGKILL, type PlannedOp } from './ops.js';

/** Every capability bit: the child stops at the kernel's last one. */
const ALL_CAPS = (1n << 64n) - 1n;

export const RLIMIT_RESOURCES: Record<RlimitName, number> = {
  cpu: 0, fsize: 1, stack: 3, core: 4, nproc: 6, nofile: 7, memlock: 8, as: 9, msgqueue: 12, rtprio: 14,
};

export interface PlanContext {
  /** A host directory the child may cover with its staging tmpfs (it sees none of it). */
  staging: string;
  /** Parent-side fds that become the child's 0, 1 and 2. */
  stdioFds: [number, number, number];
  /** Path of the brig-init binary (used with spec.init). */
  initPath: string;
  /** The caller's current [soft, hard] limits, for the max/def keywords. */
  currentRlimits: Partial<Record<RlimitName, [bigint, bigint]>>;
  /** Whether setgroups() is permitted inside (false after an unprivileged gid map). */
  setgroupsAllowed: boolean;
}

export interface Plan {
  cloneFlags: bigint;
  child: PlannedOp[];
  /** Index of the exec operation (also the index brig-init reports errors against). */
  execIndex: number;
}

export function plan(spec: Spec, ctx: PlanContext): Plan {
  const ns = spec.namespaces;
  let cloneFlags = 0n;
  if (ns.user) cloneFlags |= CLONE.NEWUSER;
  if (ns.pid) cloneFlags |= CLONE.NEWPID;
  if (ns.mount) cloneFlags |= CLONE.NEWNS;
  // Kept capabilities need the mounts locked in a nested user namespace (below). The
  // network, UTS and IPC namespaces are then created after it, so that it owns them and
  // the kept capabilities (CAP_NET_ADMIN, sethostname) act on them.
  const lock = ns.user && (spec.keepCaps === null || spec.keepCaps.length > 0);
  let lateFlags = 0n;
  if (ns.net) lateFlags |= CLONE.NEWNET;
  if (ns.uts) lateFlags |= CLONE.NEWUTS;
  if (ns.ipc) lateFlags |= CLONE.NEWIPC;
  if (!lock) cloneFlags |= lateFlags;
  if (ns.cgroup) cloneFlags |= CLONE.NEWCGROUP;
  if (ns.time) cloneFlags |= CLONE.NEWTIME;

  // Work that needs no id map runs first, overlapping with the parent writing the maps.
  const child: PlannedOp[] = [];
  const mounts = planMounts(spec, ctx.staging);
  child.push(...mounts.early);
  const initReg = 255;
  if (spec.init) child.push({ op: 'openReg', path: ctx.initPath, flags: O_PATH, reg: initReg, stage: 'exec', what: 'open brig-init', subject: ctx.initPath });
  const uts: PlannedOp[] = ns.uts ? [{ op: 'sethostname', name: spec.hostname, stage: 'process', what: 'set the hostname' }] : [];
  const net: PlannedOp[] = ns.net ? [{ op: 'loopbackUp', stage: 'net', what: 'bring up loopback' }] : [];
  if (!lock) child.push(...uts, ...net);
  if (spec.newSession) child.push({ op: 'setsid', stage: 'process', what: 'start a new session' });
  child.push({ op: 'newKeyring', stage: 'process', what: 'join a new session keyring' });
  child.push({ op: 'waitParent', stage: 'idmap', what: 'wait for the id maps' });

  // Become the sandbox's root (or the target user) before creating anything: files the
  // child makes then belong to inside ids, never to the caller's outside identity.
  const setupUid = ns.user && spec.uidMap.some((m) => m.inside === 0) ? 0 : spec.uid;
  const setupGid = ns.user && spec.gidMap.some((m) => m.inside === 0) ? 0 : spec.gid;
  if (ns.user) {
    if (ctx.setgroupsAllowed) child.push({ op: 'setgroups', gids: [], stage: 'process', what: 'drop supplementary groups' });
    child.push({ op: 'setresgid', gid: setupGid, stage: 'process', what: `switch to gid ${setupGid}` });
    child.push({ op: 'setresuid', uid: setupUid, keepCaps: true, stage: 'process', what: `switch to uid ${setupUid}` });
  }
  child.push(...mounts.late);

  if (lock) {
    // Any capability kept (CAP_SYS_ADMIN among them) could remount or unmount what brig
    // built: lock the mounts by moving into a nested user namespace with a fresh mount
    // namespace; the kernel then refuses to make them writable or to uncover them.
    const wide = spec.uidMap.length > 1 || spec.uidMap[0].count > 1 || spec.gidMap.length > 1 || spec.gidMap[0].count > 1;
    if (wide) {
      // Every id the sandbox has stays mapped (identity): a helper left outside writes it.
      const identity = (map: Spec['uidMap']) => map.map((m) => `${m.inside} ${m.inside} ${m.count}\n`).join('');
      child.push({ op: 'nestedUserns', uidMap: identity(spec.uidMap), gidMap: identity(spec.gidMap), stage: 'mount', what: 'lock mounts in a nested user namespace' });
    } else {
      // One id: the child may write its own map.
      child.push({ op: 'unshare', flags: CLONE.NEWUSER | CLONE.NEWNS, stage: 'mount', what: 'lock mounts in a nested user namespace' });
      child.push({ op: 'writeFile', path: '/proc/self/uid_map', content: `${spec.uid} ${setupUid} 1\n`, stage: 'idmap', what: 'write the nested uid map', subject: '/proc/self/uid_map' });
      child.push({ op: 'writeFile', path: '/proc/self/setgroups', content: 'deny', stage: 'idmap', what: 'deny setgroups in the nested namespace', subject: '/proc/self/setgroups' });
      child.push({ op: 'writeFile', path: '/proc/self/gid_map', content: `${spec.gid} ${setupGid} 1\n`, stage: 'idmap', what: 'write the nested gid map', subject: '/proc/self/gid_map' });
    }
    if (lateFlags) child.push({ op: 'unshare', flags: lateFlags, stage: 'process', what: 'create the network, UTS and IPC namespaces' });
    child.push(...uts, ...net);
  }
  for (const rl of spec.rlimits) {
    const current = ctx.currentRlimits[rl.name] ?? [0n, 0n];
    const value = (v: bigint) => (v === RLIMIT_CURRENT_SOFT ? current[0] : v === RLIMIT_CURRENT_HARD ? current[1] : v);
    child.push({ op: 'setrlimit', resource: RLIMIT_RESOURCES[rl.name], soft: value(rl.soft), hard: value(rl.hard), stage: 'process', what: `set rlimit ${rl.name}` });
  }
  if (spec.nice !== null) child.push({ op: 'nice', value: spec.nice, stage: 'process', what: 'set the nice level' });
  if (spec.gid !== setupGid) child.push({ op: 'setresgid', gid: spec.gid, stage: 'process', what: `switch to gid ${spec.gid}` });
  if (spec.uid !== setupUid) child.push({ op: 'setresuid', uid: spec.uid, keepCaps: true, stage: 'process', what: `switch to uid ${spec.uid}` });
  if (spec.keepCaps !== null) {
    const keep = spec.keepCaps.reduce((m, c) => m | (1n << BigInt(c)), 0n);
    child.push({ op: 'caps', keep, stage: 'process', what: 'drop capabilities' });
  } else {
    child.push({ op: 'caps', keep: ALL_CAPS, stage: 'process', what: 'keep capabilities' });
  }
  child.push({ op: 'chdir', path: spec.cwd, stage: 'process', what: 'change to the working directory', subject: spec.cwd });

  const pairs: [number, number][] = ctx.stdioFds.map((fd, i) => [fd, i]);
  for (const fd of spec.passFds) pairs.push([fd, fd]);
  const reportFd = Math.max(2, ...spec.passFds) + 1;
  if (spec.init) pairs.push([REPORT_SOCKET, reportFd]);
  child.push({ op: 'fds', pairs, stage: 'process', what: 'set up file descriptors' });
  child.push({ op: 'pdeathsig', signal: SIGKILL, stage: 'process', what: 'arm the parent-death signal' });
  if (spec.noNewPrivs) child.push({ op: 'noNewPrivs', stage: 'process', what: 'set no_new_privs' });
  // The filter comes last: everything before it may use any system call.
  // Under --init, brig-init installs the filter in the command's process instead, so that
  // init itself (fork, wait, signals) is not bound by it.
  if (spec.seccomp && !spec.init) child.push({ op: 'seccomp', flags: spec.seccomp.flags, program: spec.seccomp.program, stage: 'seccomp', what: 'install the seccomp filter' });

  const execIndex = child.length;
  const file = spec.execCandidates.length === 1 ? spec.execCandidates[0] : spec.argv[0];
  if (spec.init) {
    const filter = spec.seccomp ? [`--seccomp=${spec.seccomp.flags}:${Buffer.from(spec.seccomp.program).toString('hex')}`] : [];
    child.push({ op: 'execveat', reg: initReg, argv: ['brig-init', ...filter, String(reportFd), String(execIndex), file, ...spec.argv], env: spec.env, stage: 'exec', what: 'execute', subject: file });
  } else {
    child.push({ op: 'execve', paths: spec.execCandidates, argv: spec.argv, env: spec.env, stage: 'exec', what: 'execute', subject: file });
  }
  return { cloneFlags, child, execIndex };
}
