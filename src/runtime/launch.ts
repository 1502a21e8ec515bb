/**
 * The runtime: Spec -> a running sandbox. Launches the child through the addon, performs
 * the parent-side steps while the child waits (id maps), releases it, and supervises it
 * (setup report, time limit, exit) until it yields a Result.
 */
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import { BrigError } from '../errors.js';
import type { Spec } from '../spec.js';
import { encode } from '../plan/encode.js';
import { plan, type Plan } from '../plan/plan.js';
import { initPath, native, REPORT } from '../native.js';
import { writeIdMaps } from '../user/idmap.js';
import { readCurrentRlimits } from './rlimits.js';
import type { StdioSetup } from './stdio.js';
import { ENOENT } from '../util/errno.js';
import { SIGKILL, SIGSYS } from '../plan/ops.js';

/** How a sandboxed command ended. */
export type Status = 'exited' | 'signaled' | 'timeout' | 'oom' | 'seccomp';

/** The outcome of a sandbox whose command ran. */
export interface Result {
  status: Status;
  /** Exit code, or null when the command was killed by a signal. */
  exitCode: number | null;
  /** Name of the killing signal, e.g. 'SIGKILL', or null. */
  signal: string | null;
  stdout: string | Buffer;
  stderr: string | Buffer;
  wallTimeMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak memory of the sandbox, or null where it cannot be measured yet: rusage's
   *  maxrss of a child cloned with CLONE_VM counts the launching Node process's memory
   *  (the kernel carries it over at exec), so only cgroup accounting can tell. */
  memoryPeakBytes: number | null;
  /** The exit status a shell would report: the code, or 128 + signal number. */
  shellStatus: number;
}

/** What the runtime knows about a started child, before its Result. */
export interface Launched {
  pid: number;
  stdio: StdioSetup;
  /** Resolves once the command runs (exec succeeded), rejects with a BrigError otherwise. */
  ready: Promise<void>;
  /** Resolves with the raw outcome once the child has been reaped. */
  exited: Promise<RawExit>;
  kill(signal: number): boolean;
}

export interface RawExit {
  /** Set when the exit status could not be read (the child was reaped elsewhere). */
  error?: BrigError;
  status: Status;
  exitCode: number | null;
  signalNumber: number | null;
  wallTimeMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  memoryPeakBytes: number | null;
}

const SIGNAL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(osConstants.signals).map(([name, n]) => [n, name]),
);

export function signalName(n: number): string {
  return SIGNAL_NAMES[n] ?? `SIG${n}`;
}

/** A host directory the child may hide under its staging tmpfs (the child opened every
 *  source it needs before mounting it). */
function stagingDir(): string {
  for (const dir of ['/tmp', '/mnt', '/var/tmp', '/run']) {
    try {
      if (fs.statSync(dir).isDirectory()) return dir;
    } catch {
      // try the next
    }
  }
  throw new BrigError('ESETUP', 'no staging directory found', { stage: 'mount', path: '/tmp', errno: ENOENT });
}

/** Launch the sandbox; `stdio` (from openStdio) is closed here if setup fails. */
export async function launch(spec: Spec, stdio: StdioSetup): Promise<Launched> {
  const addon = native();
  let p: Plan;
  let started: { handle: object; pid: number; syncFd: number };
  const t0 = performance.now();
  let settleReady!: (err?: BrigError) => void;
  let settleExit!: (e: RawExit) => void;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = (err) => (err ? reject(err) : resolve());
  });
  ready.catch(() => {}); // observed through Launched.ready
  const exited = new Promise<RawExit>((resolve) => (settleExit = resolve));
  let setupError: BrigError | undefined;
  let initStatus: { exitCode: number | null; signal: number | null } | undefined;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;

  try {
    p = plan(spec, {
      staging: stagingDir(),
      stdioFds: stdio.childFds,
      initPath,
      currentRlimits: readCurrentRlimits(spec.rlimits),
      setgroupsAllowed: (process.geteuid?.() ?? 0) === 0 || spec.gidMap.some((m) => m.useNewidmap),
    });
    const onReport = (kind: number, index: number, err: number, value: number) => {
      if (kind === REPORT.ERROR) {
        setupError ??= errorForOp(p, spec, index, err);
      } else if (kind === REPORT.READY) {
        settleReady(setupError);
      } else if (kind === REPORT.EXITED) {
        initStatus = { exitCode: value, signal: null };
      } else if (kind === REPORT.SIGNALED) {
        initStatus = { exitCode: null, signal: value };
      } else if (kind === REPORT.EOF) {
        if (!spec.init || setupError) settleReady(setupError);
        reportDone = true;
        finishExit();
      }
    };
    // The exit is settled once both the exit and the end of the report stream are seen:
    // brig-init's last record (how the command ended) may still be unread at its exit.
    let exitSeen: { waitErr: number; killed: number; status: number; utimeUs: number; stimeUs: number; at: number } | undefined;
    let reportDone = false;
    const finishExit = () => {
      if (!exitSeen || !reportDone) return;
      const { waitErr, killed, status, utimeUs, stimeUs, at } = exitSeen;
      if (!setupError && spec.init && !initStatus && !timedOut && !killed && status === 255) {
        // brig-init died before it could run the command (e.g. killed during setup).
        setupError = new BrigError('ESETUP', 'the init process exited before the command started', { stage: 'exec' });
      }
      settleReady(setupError); // no-op when already settled
      let exitCode: number | null = killed ? null : status;
      let signalNumber: number | null = killed ? status : null;
      if (initStatus) ({ exitCode, signal: signalNumber } = initStatus);
      settleExit({
        error: waitErr ? new BrigError('ESETUP', "cannot read the sandbox's exit status", { stage: 'runtime', syscall: 'waitid', errno: -waitErr }) : undefined,
        // A command that ended on its own just as the limit fired did not time out.
        status: timedOut && signalNumber === SIGKILL ? 'timeout'
          : spec.seccomp && signalNumber === SIGSYS ? 'seccomp'
            : signalNumber !== null ? 'signaled' : 'exited',
        exitCode,
        signalNumber,
        wallTimeMs: at - t0,
        cpuUserMs: utimeUs / 1000,
        cpuSystemMs: stimeUs / 1000,
        memoryPeakBytes: null,
      });
    };
    const onExit = (waitErr: number, killed: number, status: number, utimeUs: number, stimeUs: number) => {
      if (timer) clearTimeout(timer);
      exitSeen = { waitErr, killed, status, utimeUs, stimeUs, at: performance.now() };
      finishExit();
    };
    const ops = encode(p.child);
    started = await new Promise<{ handle: object; pid: number; syncFd: number }>((resolve, reject) => {
      const handle = addon.spawn(ops, p.cloneFlags, -1, (errno, pid, syncFd) => {
        if (errno === 0) return resolve({ handle, pid, syncFd });
        reject(new BrigError('ESETUP', 'cannot create the sandbox process', {
          stage: 'clone', syscall: 'clone3', errno,
          hint: errno === 1 || errno === 28 ? 'user namespaces may be disabled or exhausted here: see brig doctor' : undefined,
        }));
      }, onReport, onExit);
    });
  } catch (e) {
    stdio.closeAll();
    throw e;
  }
  // Only now: the child took its copies of these fds when it was cloned.
  stdio.closeChildEnds();

  const kill = (signal: number): boolean => {
    const sent = addon.kill(started.handle, signal);
    // Without a PID namespace the sandbox is the child's process group (it called setsid).
    if (sent && signal === SIGKILL && !spec.namespaces.pid && spec.newSession) {
      try {
        process.kill(-started.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
    return sent;
  };

  try {
    if (spec.namespaces.user) await writeIdMaps(started.pid, spec);
    fs.writeSync(started.syncFd, Buffer.of(1));
  } catch (e) {
    kill(SIGKILL);
    fs.closeSync(started.syncFd);
    await exited;
    stdio.closeAll();
    // A child that failed early (and so closed its end) explains more than EPIPE does.
    if (setupError) throw setupError;
    if (e instanceof BrigError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new BrigError('ESETUP', 'cannot release the sandbox process', { stage: 'idmap', syscall: err.syscall, errno: err.errno === undefined ? undefined : -err.errno });
  }
  fs.closeSync(started.syncFd);
  if (spec.timeLimitMs > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      kill(SIGKILL);
    }, spec.timeLimitMs);
  }
  return { pid: started.pid, stdio, ready, exited, kill };
}

/** Turn the child's (index, errno) report into an error that names the operation. */
function errorForOp(p: Plan, spec: Spec, index: number, errno: number): BrigError {
  const op = p.child[index];
  if (!op) return new BrigError('ESETUP', 'the sandbox child failed', { stage: 'runtime', errno });
  if (op.op === 'execve' || op.op === 'execveat') {
    const notFound = errno === ENOENT;
    return new BrigError(notFound ? 'ENOTFOUND' : 'ESETUP', notFound ? 'command not found' : 'cannot execute the command', {
      stage: 'exec', syscall: 'execve', errno, path: op.subject,
      hint: notFound && !spec.argv[0].includes('/') ? `searched PATH=${spec.env.find((e) => e.startsWith('PATH='))?.slice(5) ?? ''}` : undefined,
    });
  }
  const hint = (op.what === 'create mount point' || op.what === 'create symlink') && errno === 30
    ? 'the mount point does not exist in the read-only root: create it there, or mount a tmpfs on its parent first'
    : undefined;
  return new BrigError('ESETUP', op.what, { stage: op.stage, syscall: op.op, errno, path: op.subject, hint });
}
