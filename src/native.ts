/**
 * The only loader of the C addon (native/addon.c). Everything else imports the typed
 * functions from here.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { packageRoot } from './paths.js';

/** Report kinds (native/ops.h): 0 is the end of the report stream. */
export const REPORT = { EOF: 0, ERROR: 1, READY: 2, EXITED: 3, SIGNALED: 4 } as const;

export interface Addon {
  /** Queue a launch: the addon's launcher thread clones the child, then `onStarted` runs
   *  on the event loop (errno 0 on success). Fds the child should inherit must stay open
   *  until then. Returns the handle for kill(). */
  spawn(
    ops: Buffer,
    cloneFlags: bigint,
    cgroupFd: number,
    onStarted: (errno: number, pid: number, syncFd: number) => void,
    onReport: (kind: number, index: number, err: number, value: number) => void,
    onExit: (waitErr: number, killed: number, status: number, utimeUs: number, stimeUs: number, maxrssKb: number) => void,
  ): object;
  kill(handle: object, signal: number): boolean;
  pipe(): [number, number];
  /** A new pseudo-terminal: [master, slave], close-on-exec, master non-blocking. */
  openpty(): [number, number];
  /** Read a pipe to EOF on the event loop (keeping at most `max` bytes), then call back
   *  with the bytes; takes ownership of the fd. */
  drain(fd: number, max: number, callback: (data: Buffer) => void): void;
}

const buildDir = path.join(packageRoot, 'build', 'Release');

/** Path of the static brig-init reaper built beside the addon. */
export const initPath = path.join(buildDir, 'brig-init');

let addon: Addon | undefined;

export function native(): Addon {
  if (addon) return addon;
  const file = path.join(buildDir, 'brig.node');
  if (!fs.existsSync(file)) {
    throw new Error(`brig: the native addon is not built (${file} is missing): run 'npm install' or 'npm rebuild' in ${packageRoot}`);
  }
  addon = createRequire(import.meta.url)(file) as Addon;
  return addon;
}
