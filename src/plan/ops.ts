/**
 * The operations the sandbox child performs, as data. plan() produces them, encode() packs
 * them for the C side (native/ops.h), and error reports point back at them by index.
 */
import type { Stage } from '../errors.js';

export type ChildOp =
  | { op: 'waitParent' }
  | { op: 'mount'; source: string; target: string; fstype: string; flags: number; data: string }
  | { op: 'mountSetattr'; path: string; reg: number; set: number; clear: number; recursive: boolean }
  | { op: 'openTree'; path: string; reg: number }
  | { op: 'moveMount'; reg: number; target: string }
  | { op: 'fsmount'; fstype: string; attrs: number; reg: number }
  | { op: 'nestedUserns'; uidMap: string; gidMap: string }
  | { op: 'seccomp'; flags: number; program: Uint8Array }
  | { op: 'pivotRoot'; newRoot: string }
  | { op: 'mkdir'; path: string; mode: number }
  | { op: 'mkfile'; path: string; mode: number }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'chdir'; path: string }
  | { op: 'sethostname'; name: string }
  | { op: 'setrlimit'; resource: number; soft: bigint; hard: bigint }
  | { op: 'setsid' }
  | { op: 'newKeyring' }
  | { op: 'loopbackUp' }
  | { op: 'setgroups'; gids: number[] }
  | { op: 'setresgid'; gid: number }
  | { op: 'setresuid'; uid: number; keepCaps: boolean }
  | { op: 'caps'; keep: bigint }
  | { op: 'noNewPrivs' }
  | { op: 'unshare'; flags: bigint }
  | { op: 'writeFile'; path: string; content: string }
  | { op: 'pdeathsig'; signal: number }
  | { op: 'fds'; pairs: [src: number, dst: number][] }
  | { op: 'openReg'; path: string; flags: number; reg: number }
  | { op: 'execve'; paths: string[]; argv: string[]; env: string[] }
  | { op: 'execveat'; reg: number; argv: string[]; env: string[] }
  | { op: 'nice'; value: number };

/** A child operation with what an error report needs to explain it: the stage, a few
 *  words, and the path (or other object) it acted on, as the user would recognise it. */
export type PlannedOp = ChildOp & { stage: Stage; what: string; subject?: string };

/** fds: this source number stands for the child's report socket. */
export const REPORT_SOCKET = -1;

export const MS = {
  RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, REC: 0x4000, PRIVATE: 0x40000,
} as const;

export const MOUNT_ATTR = { RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8 } as const;

export const CLONE = {
  NEWTIME: 0x80n, NEWNS: 0x20000n, NEWCGROUP: 0x02000000n, NEWUTS: 0x04000000n, NEWIPC: 0x08000000n,
  NEWUSER: 0x10000000n, NEWPID: 0x20000000n, NEWNET: 0x40000000n,
} as const;

export const O_PATH = 0o10000000;
export const SIGKILL = 9;
/** The signal a seccomp filter's kill actions deliver. */
export const SIGSYS = 31;
