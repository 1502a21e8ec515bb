/**
 * Mount planning: the operations that build the sandbox's file system view, ending in
 * pivot_root. Pure: it only turns the Spec's mounts into ChildOps.
 *
 * Shape of the sequence (all inside the child's new mount namespace):
 *  1. make every mount private, so nothing propagates back to the host;
 *  2. open detached copies (open_tree) of a --chroot root, of the device nodes and of
 *     every bind source while the child still has the caller's own file access;
 *  3. make the root read-only, recursively (submounts too): the host's root in place, or
 *     the --chroot copy, which is then attached at the staging directory;
 *  4. for a --chroot root, pivot_root into it and detach the old root;
 *  5. /proc, a minimal /dev, the private tmpfs directories, then the user's mounts in order,
 *     each preceded by the creation of its mount point when it is missing (a read-only
 *     root refuses with EROFS, so nothing is ever created on the host's own root).
 * When a mount point is missing from the host's read-only root, the root is instead a
 * tmpfs holding read-only binds of the host's top-level entries (step 3 binds each, and
 * the tmpfs itself turns read-only once every mount point exists), then pivoted into.
 * Steps 1-3 and a leading /proc need no id map and run while the parent writes it.
 */
import type { HostEntry, MountSpec, Spec } from '../spec.js';
import { MOUNT_ATTR, MS, type PlannedOp } from '../plan/ops.js';

/** Device nodes bound from the host into the minimal /dev. */
export const DEV_NODES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

export interface MountPlan {
  /** Operations that need no id map, run while the parent writes the maps: private
   *  propagation, open_tree of every source (with the caller's own file access), the
   *  read-only root, /proc. */
  early: PlannedOp[];
  /** Everything that creates files or mounts tmpfs (needs the inside ids), up to and
   *  including pivot_root for a --chroot root. */
  late: PlannedOp[];
}

export function planMounts(spec: Spec, staging: string): MountPlan {
  const early: PlannedOp[] = [];
  const late: PlannedOp[] = [];
  if (!spec.namespaces.mount) return { early, late };
  // The host's own root needs no copy: the child's new mount namespace already is one.
  // It is made read-only in place and never pivoted, which saves the old root's unmount
  // (an RCU grace period) on every launch. A --chroot root is attached at the staging
  // directory and pivoted into; so is a synthetic root (a tmpfs holding binds of the
  // host's top-level entries), used only when a mount point is missing from the host.
  // Either way the pivot comes before any mount point is made, so every path below is
  // resolved inside the new root: an image's absolute symlinks cannot reach the host.
  const synthetic = spec.root === null ? spec.syntheticRoot : null;
  const inPlace = spec.root === null && !synthetic;
  early.push({ op: 'mount', source: '', target: '/', fstype: '', flags: MS.REC | MS.PRIVATE, data: '', stage: 'mount', what: 'make mounts private', subject: '/' });

  let reg = 0;
  const regs = new Map<MountSpec | HostEntry | string, number>();
  const open = (key: MountSpec | HostEntry | string, source: string, what: string) => {
    regs.set(key, reg);
    early.push({ op: 'openTree', path: source, reg: reg++, stage: 'mount', what, subject: source });
    return reg - 1;
  };
  const rootReg = spec.root === null ? -1 : open('root', spec.root, 'open the root');
  const overmounted = new Set(['proc', 'dev', ...spec.mounts.filter((m) => m.type === 'tmpfs' && m.target.split('/').length === 2).map((m) => (m as { target: string }).target.slice(1))]);
  const entries = (synthetic ?? []).filter((e) => e.kind !== 'symlink' && !overmounted.has(e.name));
  for (const e of entries) open(e, `/${e.name}`, 'open a host directory');
  const wantDev = spec.mounts.some((m) => m.type === 'proc' && m.target === '/proc') || spec.root === null;
  // Opened before the root turns nodev, so the bound device nodes keep working.
  if (wantDev) for (const n of DEV_NODES) open(n, `/dev/${n}`, 'open device node');
  for (const m of spec.mounts) {
    if (m.type === 'bind') open(m, m.source, 'open bind source');
    else if (m.type === 'proc' && !spec.namespaces.pid) open(m, '/proc', "open the host's /proc");
    else if (m.type === 'proc' && !inPlace) {
      // A user namespace may mount a procfs only while a full one is visible in its mount
      // namespace: create it detached now, attach it inside the new root later.
      regs.set(m, reg);
      const attrs = MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC | (m.readOnly ? MOUNT_ATTR.RDONLY : 0);
      early.push({ op: 'fsmount', fstype: 'proc', attrs, reg: reg++, stage: 'mount', what: 'create /proc', subject: m.target });
    }
  }
  // No suid or device files from the host's root or from a root image: the sandbox's
  // /dev is its own. (Bind mounts keep device files: binding one is asking for it.)
  const hostAttrs = MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV;
  if (inPlace) {
    early.push({ op: 'mountSetattr', path: '/', reg: -1, set: hostAttrs, clear: 0, recursive: true, stage: 'mount', what: 'make the root read-only', subject: '/' });
  } else if (synthetic) {
    for (const e of entries) early.push({ op: 'mountSetattr', path: '', reg: regs.get(e)!, set: hostAttrs, clear: 0, recursive: true, stage: 'mount', what: 'make the root read-only', subject: `/${e.name}` });
  } else {
    const set = (spec.rootReadOnly ? MOUNT_ATTR.RDONLY : 0) | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV;
    early.push({ op: 'mountSetattr', path: '', reg: rootReg, set, clear: 0, recursive: true, stage: 'mount', what: spec.rootReadOnly ? 'make the root read-only' : 'make the root nosuid', subject: spec.root! });
    early.push({ op: 'moveMount', reg: rootReg, target: staging, stage: 'mount', what: 'attach the root', subject: spec.root! });
  }

  // Mounts that create nothing go early while they lead the list (/proc, normally).
  let i = 0;
  for (; i < spec.mounts.length && inPlace; i++) {
    const m = spec.mounts[i];
    if (m.type !== 'proc' || regs.has(m) || !spec.mountPointsPresent.includes(m.target)) break;
    early.push(procMount(m));
  }
  if (synthetic) late.push({ op: 'mount', source: 'tmpfs', target: staging, fstype: 'tmpfs', flags: MS.NOSUID | MS.NODEV, data: 'mode=0755', stage: 'mount', what: 'mount the root tmpfs', subject: '/' });
  if (!inPlace) late.push({ op: 'pivotRoot', newRoot: staging, stage: 'mount', what: 'pivot_root into the new root', subject: spec.root ?? '/' });
  for (const e of synthetic ?? []) {
    const p = `/${e.name}`;
    if (e.kind === 'symlink') late.push({ op: 'symlink', target: e.link!, path: p, stage: 'mount', what: 'create symlink', subject: p });
    else late.push({ op: e.kind === 'dir' ? 'mkdir' : 'mkfile', path: p, mode: 0o755, stage: 'mount', what: 'create mount point', subject: p });
    const r = regs.get(e);
    if (r !== undefined) late.push({ op: 'moveMount', reg: r, target: p, stage: 'mount', what: 'bind a host directory', subject: p });
  }
  if (wantDev) {
    if (spec.root !== null) late.push({ op: 'mkdir', path: '/dev', mode: 0o755, stage: 'mount', what: 'create mount point', subject: '/dev' });
    late.push(...planDev(regs));
  }
  for (const m of spec.mounts.slice(i)) {
    const target = m.type === 'symlink' ? m.path : m.target;
    if (!spec.mountPointsPresent.includes(target)) {
      late.push(...mountPoint(target, m.type === 'bind' && !m.isDir ? 'file' : m.type === 'symlink' ? 'parent' : 'dir'));
    }
    switch (m.type) {
      case 'proc': {
        const r = regs.get(m);
        const what = spec.namespaces.pid ? 'mount /proc' : "bind the host's /proc (no PID namespace)";
        late.push(r !== undefined ? { op: 'moveMount', reg: r, target: m.target, stage: 'mount', what, subject: m.target } : procMount(m));
        break;
      }
      case 'tmpfs': {
        const size = m.size === undefined ? '' : `,size=${m.size}`;
        late.push({ op: 'mount', source: 'tmpfs', target: m.target, fstype: 'tmpfs', flags: MS.NOSUID | MS.NODEV | (m.readOnly ? MS.RDONLY : 0), data: `mode=${m.mode.toString(8)}${size}`, stage: 'mount', what: 'mount tmpfs', subject: m.target });
        break;
      }
      case 'bind': {
        const r = regs.get(m)!;
        const set = MOUNT_ATTR.NOSUID | (m.readOnly ? MOUNT_ATTR.RDONLY : 0);
        late.push({ op: 'mountSetattr', path: '', reg: r, set, clear: 0, recursive: true, stage: 'mount', what: m.readOnly ? 'make bind mount read-only' : 'make bind mount nosuid', subject: m.source });
        late.push({ op: 'moveMount', reg: r, target: m.target, stage: 'mount', what: 'bind mount', subject: `${m.source} -> ${m.target}` });
        break;
      }
      case 'symlink':
        late.push({ op: 'symlink', target: m.target, path: m.path, stage: 'mount', what: 'create symlink', subject: m.path });
        break;
    }
  }
  if (synthetic) late.push({ op: 'mountSetattr', path: '/', reg: -1, set: MOUNT_ATTR.RDONLY, clear: 0, recursive: false, stage: 'mount', what: 'make the root read-only', subject: '/' });
  return { early, late };
}

function procMount(m: Extract<MountSpec, { type: 'proc' }>): PlannedOp {
  return { op: 'mount', source: 'proc', target: m.target, fstype: 'proc', flags: MS.NOSUID | MS.NODEV | MS.NOEXEC | (m.readOnly ? MS.RDONLY : 0), data: '', stage: 'mount', what: 'mount /proc', subject: m.target };
}

/** mkdir (or create a file) for a mount point and its missing ancestors, top down. */
function mountPoint(target: string, kind: 'dir' | 'file' | 'parent'): PlannedOp[] {
  const parts = target.split('/').filter(Boolean);
  const ops: PlannedOp[] = [];
  const dirs = kind === 'dir' ? parts.length : parts.length - 1;
  for (let i = 1; i <= dirs; i++) {
    const p = `/${parts.slice(0, i).join('/')}`;
    ops.push({ op: 'mkdir', path: p, mode: 0o755, stage: 'mount', what: 'create mount point', subject: p });
  }
  if (kind === 'file') ops.push({ op: 'mkfile', path: target, mode: 0o644, stage: 'mount', what: 'create mount point', subject: target });
  return ops;
}

/** A minimal /dev: a tmpfs with the host's harmless character devices bound in, a private
 *  devpts instance, /dev/shm, and the usual symlinks; then read-only. */
function planDev(regs: Map<unknown, number>): PlannedOp[] {
  const ops: PlannedOp[] = [
    { op: 'mount', source: 'tmpfs', target: '/dev', fstype: 'tmpfs', flags: MS.NOSUID | MS.NOEXEC, data: 'mode=0755,size=64k', stage: 'mount', what: 'mount /dev', subject: '/dev' },
  ];
  for (const n of DEV_NODES) {
    ops.push({ op: 'mkfile', path: `/dev/${n}`, mode: 0o666, stage: 'mount', what: 'create device node', subject: `/dev/${n}` });
    ops.push({ op: 'moveMount', reg: regs.get(n)!, target: `/dev/${n}`, stage: 'mount', what: 'bind device node', subject: `/dev/${n}` });
  }
  ops.push(
    { op: 'mkdir', path: '/dev/pts', mode: 0o755, stage: 'mount', what: 'create /dev/pts', subject: '/dev/pts' },
    { op: 'mount', source: 'devpts', target: '/dev/pts', fstype: 'devpts', flags: MS.NOSUID | MS.NOEXEC, data: 'newinstance,ptmxmode=0666,mode=0620', stage: 'mount', what: 'mount /dev/pts', subject: '/dev/pts' },
    { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx', stage: 'mount', what: 'create symlink', subject: '/dev/ptmx' },
    { op: 'mkdir', path: '/dev/shm', mode: 0o755, stage: 'mount', what: 'create /dev/shm', subject: '/dev/shm' },
    { op: 'mount', source: 'tmpfs', target: '/dev/shm', fstype: 'tmpfs', flags: MS.NOSUID | MS.NODEV, data: 'mode=1777', stage: 'mount', what: 'mount /dev/shm', subject: '/dev/shm' },
  );
  const links: [string, string][] = [['/proc/self/fd', 'fd'], ['/proc/self/fd/0', 'stdin'], ['/proc/self/fd/1', 'stdout'], ['/proc/self/fd/2', 'stderr']];
  for (const [target, name] of links) {
    ops.push({ op: 'symlink', target, path: `/dev/${name}`, stage: 'mount', what: 'create symlink', subject: `/dev/${name}` });
  }
  ops.push({ op: 'mountSetattr', path: '/dev', reg: -1, set: MOUNT_ATTR.RDONLY, clear: 0, recursive: false, stage: 'mount', what: 'make /dev read-only', subject: '/dev' });
  return ops;
}
