/**
 * Spec: one validated, fully resolved description of a sandbox. validate() builds it from
 * Options; plan() turns it into kernel operations. Nothing here is optional-by-accident:
 * every default has been applied.
 */
import type { NamespaceName, RlimitName, StdioOption } from './options.js';

export type MountSpec =
  | { type: 'bind'; source: string; target: string; readOnly: boolean; isDir: boolean }
  | { type: 'tmpfs'; target: string; size?: number; mode: number; readOnly: boolean }
  | { type: 'proc'; target: string; readOnly: boolean }
  | { type: 'symlink'; target: string; path: string };

/** A top-level entry of the host's root directory. */
export interface HostEntry {
  name: string;
  kind: 'dir' | 'file' | 'symlink';
  /** The symlink's text. */
  link?: string;
}

export interface IdMapSpec {
  inside: number;
  outside: number;
  count: number;
  useNewidmap: boolean;
}

export interface RlimitSpec {
  name: RlimitName;
  soft: bigint;
  hard: bigint;
}

export interface Spec {
  argv: string[];
  /** Paths tried in order for the executable (the PATH search, already expanded). */
  execCandidates: string[];
  env: string[];
  cwd: string;
  /** Host path of the root; null = the host's own root with brig's defaults. */
  root: string | null;
  rootReadOnly: boolean;
  mounts: MountSpec[];
  /** Mount targets known (from validation) to exist in the root already. */
  mountPointsPresent: string[];
  /** Set when a mount point is missing from the host's read-only root: the root is then a
   *  tmpfs holding read-only binds of these top-level entries of the host's /, so missing
   *  top-level mount points can be created. null: the host's root is used in place. */
  syntheticRoot: HostEntry[] | null;
  namespaces: Record<NamespaceName, boolean>;
  uidMap: IdMapSpec[];
  gidMap: IdMapSpec[];
  /** The ids the command runs as, inside. */
  uid: number;
  gid: number;
  hostname: string;
  rlimits: RlimitSpec[];
  timeLimitMs: number;
  /** Capability numbers kept across exec; null = keep all. */
  keepCaps: number[] | null;
  noNewPrivs: boolean;
  newSession: boolean;
  init: boolean;
  nice: number | null;
  /** A validated seccomp program (struct sock_filter array) and its install flags, or null. */
  seccomp: { program: Uint8Array; flags: number } | null;
  stdio: [StdioOption, StdioOption, StdioOption];
  input: Buffer | null;
  passFds: number[];
  encoding: 'utf8' | 'buffer';
  maxBuffer: number;
}
