/**
 * Sandbox: the handle spawn() returns, and run() built on it. It owns the streams,
 * collects piped output for the Result, and forwards kill() to the child's pidfd.
 */
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { BrigError } from '../errors.js';
import type { Spec } from '../spec.js';
import { launch, signalName, type Launched, type Result } from './launch.js';
import { openStdio } from './stdio.js';

export class Sandbox extends EventEmitter {
  /** Host pid of the sandbox's first process (PID 1 inside), once started. */
  pid: number | undefined;
  stdin: Writable | null = null;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  /** Resolves when the command runs; rejects with a BrigError when setup fails. */
  readonly ready: Promise<void>;
  private readonly result: Promise<Result>;
  private launched: Launched | undefined;
  private pendingSignals: number[] = [];

  constructor(spec: Spec, collect: boolean) {
    super();
    // The pipes exist before the launch, so callers can attach to the streams at once.
    const stdio = openStdio(spec, collect);
    this.stdin = stdio.stdin;
    this.stdout = stdio.stdout;
    this.stderr = stdio.stderr;
    const started = launch(spec, stdio);
    this.ready = started.then(async (l) => {
      this.launched = l;
      this.pid = l.pid;
      if (spec.input && this.stdin) this.stdin.end(spec.input);
      for (const sig of this.pendingSignals.splice(0)) l.kill(sig);
      await l.ready;
    });
    this.result = this.finish(spec, started);
    // 'error' only for listeners: callers that use wait() or ready must not crash on it.
    this.result.then((r) => this.emit('exit', r), (e: unknown) => this.listenerCount('error') && this.emit('error', e));
    this.ready.then(() => this.emit('spawn'), () => {});
  }

  private async finish(spec: Spec, started: Promise<Launched>): Promise<Result> {
    const l = await started;
    // run() collects what its pipes carry; spawn() leaves the streams to the caller.
    const none = Promise.resolve(Buffer.alloc(0));
    const [out, err] = l.stdio.collected.map((c) => c ?? none);
    const exit = await l.exited;
    // Like child_process: the command is gone, so is its stdin (else its fd would leak).
    l.stdio.stdin?.destroy();
    try {
      await l.ready;
      if (exit.error) throw exit.error;
    } catch (e) {
      l.stdio.closeAll();
      throw e;
    }
    const [stdout, stderr] = await Promise.all([out, err]);
    const decode = (b: Buffer) => (spec.encoding === 'buffer' ? b : b.toString('utf8'));
    return {
      status: exit.status,
      exitCode: exit.exitCode,
      signal: exit.signalNumber === null ? null : signalName(exit.signalNumber),
      stdout: decode(stdout),
      stderr: decode(stderr),
      wallTimeMs: exit.wallTimeMs,
      cpuUserMs: exit.cpuUserMs,
      cpuSystemMs: exit.cpuSystemMs,
      memoryPeakBytes: exit.memoryPeakBytes,
      shellStatus: exit.exitCode ?? 128 + (exit.signalNumber ?? 0),
    };
  }

  /** Send a signal (name or number) to the sandbox's first process. Without --init a
   *  command running as PID 1 ignores signals it has no handler for; SIGKILL always works. */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const n = typeof signal === 'number' ? signal : signalNumber(signal);
    if (!this.launched) {
      this.pendingSignals.push(n);
      return true;
    }
    return this.launched.kill(n);
  }

  /** The Result once the command has ended; rejects with a BrigError if setup failed. */
  wait(): Promise<Result> {
    return this.result;
  }
}

function signalNumber(name: string): number {
  const n = (constants.signals as Record<string, number>)[name];
  if (n === undefined) throw new BrigError('EINVALIDOPTION', `unknown signal ${name}`, { stage: 'validate', option: 'signal' });
  return n;
}
