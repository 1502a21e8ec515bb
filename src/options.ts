/**
 * The library's option shape: what users pass to run() and spawn(). Every way into brig
 * (CLI flags, the option table, library calls) produces one of these; validate() turns it
 * into a Spec.
 */
import type { Readable, Writable } from 'node:stream';

/** A mount added to the sandbox, applied in order after the root. */
export type Mount =
  | { type: 'bind'; source: string; target?: string; readOnly?: boolean }
  | { type: 'tmpfs'; target: string; size?: string | number; mode?: number; readOnly?: boolean }
  | { type: 'proc'; target?: string; readOnly?: boolean }
  | { type: 'symlink'; target: string; path: string };

/** One uid or gid map line: `count` ids from `outside` appear as `inside`. */
export interface IdMap {
  inside: number;
  outside?: number;
  count?: number;
  /** Write this line through the setuid newuidmap/newgidmap helpers. */
  useNewidmap?: boolean;
}

export type NamespaceName = 'user' | 'pid' | 'mount' | 'net' | 'uts' | 'ipc' | 'cgroup' | 'time';

export type RlimitName =
  | 'as' | 'core' | 'cpu' | 'fsize' | 'nofile' | 'nproc' | 'stack' | 'memlock' | 'rtprio' | 'msgqueue';

/**
 * An rlimit: a number in the kernel's unit (bytes, seconds or a count), a size string
 * with a k/M/G suffix, a keyword (`inf`, `max`/`hard` = the current hard limit,
 * `def`/`soft` = the current soft limit), or separate soft and hard values.
 */
export type RlimitValue =
  | number | bigint | string
  | { soft: number | bigint | string; hard: number | bigint | string };

/** Where a standard stream of the sandbox goes. */
export type StdioOption = 'inherit' | 'ignore' | 'pipe' | number | Readable | Writable;

export interface Options {
  /** The command and its arguments; argv[0] is looked up in the sandbox's PATH. */
  command: string[];
  /** Run this file instead of command[0] (which stays argv[0]). */
  execFile?: string;
  /** The root directory. Default: the host's `/`, read-only, with private /home, /root,
   *  /run, /tmp and /var/tmp. */
  root?: string;
  /** Leave the root writable (only meaningful with `root`). */
  rw?: boolean;
  mounts?: Mount[];
  /** Mount a fresh /proc (default true). */
  proc?: boolean;
  /** Environment of the command. Default: PATH only (the caller's with keepEnv). */
  env?: Record<string, string>;
  /** Start from the caller's environment. */
  keepEnv?: boolean;
  cwd?: string;
  hostname?: string;
  /** Switch namespaces on or off (all on by default; time too). */
  namespaces?: Partial<Record<NamespaceName, boolean>>;
  uidMap?: IdMap[];
  gidMap?: IdMap[];
  /** The owner of the root directory becomes uid/gid 0 inside (tinyjail's rule). */
  rootOwnerIsRoot?: boolean;
  rlimits?: Partial<Record<RlimitName, RlimitValue>>;
  /** Wall-clock limit in seconds (0 = none); the whole sandbox is killed at the limit. */
  timeLimit?: number;
  /** Keep all capabilities the sandbox's root has. */
  keepCaps?: boolean;
  /** Keep these capabilities (names like 'CAP_NET_ADMIN' or 'net_admin'). */
  caps?: string[];
  /** Set no_new_privs (default true). */
  noNewPrivs?: boolean;
  /** Start a new session (default true): no TIOCSTI into the caller's terminal. */
  newSession?: boolean;
  /** Run a small reaper as PID 1 that forwards signals to the command. */
  init?: boolean;
  /** Nice level of the command. */
  nice?: number;
  stdin?: StdioOption;
  stdout?: StdioOption;
  stderr?: StdioOption;
  /** Data written to the command's stdin (implies stdin: 'pipe'). */
  input?: string | Buffer;
  /** File descriptors of the caller kept open, with the same numbers, inside. */
  passFds?: number[];
  /**
   * A seccomp filter installed right before the command runs: a policy in nsjail's Kafel
   * language, or a compiled program (the kernel's struct sock_filter array, 8 bytes per
   * instruction, little-endian). A process the filter kills ends with status 'seccomp'.
   */
  seccomp?: string | Uint8Array;
  /** A Kafel policy file (instead of `seccomp`); #include resolves relative to it. */
  seccompFile?: string;
  /** Have the kernel log the filter's actions (SECCOMP_FILTER_FLAG_LOG). */
  seccompLog?: boolean;
  /** 'buffer' returns stdout/stderr as Buffers; default 'utf8' strings. */
  encoding?: 'utf8' | 'buffer';
  /** Cap on collected stdout/stderr bytes each (default 64 MiB); the rest is dropped. */
  maxBuffer?: number;
}
