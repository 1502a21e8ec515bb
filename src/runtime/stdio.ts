/**
 * The sandbox's standard streams: which parent fd becomes the child's 0, 1 and 2, and the
 * parent's stream objects for the 'pipe' ends (wrapped as non-blocking net.Sockets so no
 * thread-pool worker blocks on them).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';
import type { StdioOption } from '../options.js';
import type { Spec } from '../spec.js';
import { native } from '../native.js';

export interface StdioSetup {
  childFds: [number, number, number];
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** With `collect`, piped stdout and stderr are read to the end natively instead. */
  collected: [Promise<Buffer> | null, Promise<Buffer> | null];
  /** Close the fds only the child needs, once it has its copies. */
  closeChildEnds(): void;
  /** Close everything (setup failed before the child started). */
  closeAll(): void;
}

// node:net is loaded only when a pipe is wanted: the CLI, which inherits, never pays for it.
const require = createRequire(import.meta.url);
let netModule: typeof import('node:net') | undefined;
const net = () => (netModule ??= require('node:net') as typeof import('node:net'));

/** Open the sandbox's stdio. With `collect` (run()), piped stdout and stderr are drained
 * by the addon into single Buffers, which costs far less than a stream per pipe. */
export function openStdio(spec: Spec, collect: boolean): StdioSetup {
  const toClose: number[] = [];
  const parentFds: (number | null)[] = [null, null, null];
  const childFds = spec.stdio.map((s, i) => childFd(s, i, toClose, parentFds)) as [number, number, number];
  const collected: [Promise<Buffer> | null, Promise<Buffer> | null] = [null, null];
  if (collect) {
    for (const i of [1, 2] as const) {
      const fd = parentFds[i];
      if (fd === null || spec.stdio[i] !== 'pipe') continue;
      collected[i - 1] = new Promise((resolve) => native().drain(fd, spec.maxBuffer, resolve));
      parentFds[i] = null;
    }
  }
  const streams = parentFds.map((fd, i) => {
    if (fd === null) return null;
    const sock = new (net().Socket)({ fd, readable: i !== 0, writable: i === 0 });
    if (i === 0) sock.on('error', () => {}); // EPIPE when the command does not read its input
    return sock;
  });
  // Streams given by the caller are connected to the pipes.
  spec.stdio.forEach((s, i) => {
    if (typeof s !== 'object' || s === null) return;
    const stream = streams[i]!;
    if (i === 0) (s as Readable).pipe(stream as Writable);
    else stream.pipe(s as Writable, { end: false });
  });
  return {
    childFds,
    stdin: spec.stdio[0] === 'pipe' ? (streams[0] as Writable) : null,
    stdout: spec.stdio[1] === 'pipe' ? (streams[1] as Readable) : null,
    stderr: spec.stdio[2] === 'pipe' ? (streams[2] as Readable) : null,
    collected,
    closeChildEnds: () => toClose.splice(0).forEach((fd) => fs.closeSync(fd)),
    closeAll() {
      toClose.splice(0).forEach((fd) => fs.closeSync(fd));
      streams.forEach((s) => s?.destroy());
    },
  };
}

function childFd(s: StdioOption, i: number, toClose: number[], parentFds: (number | null)[]): number {
  if (s === 'inherit') return i;
  if (typeof s === 'number') return s;
  if (s === 'ignore') {
    const fd = fs.openSync('/dev/null', i === 0 ? 'r' : 'w');
    toClose.push(fd);
    return fd;
  }
  // 'pipe' or a caller's stream: a pipe whose far end the parent keeps.
  const [r, w] = native().pipe();
  const [mine, theirs] = i === 0 ? [w, r] : [r, w];
  parentFds[i] = mine;
  toClose.push(theirs);
  return theirs;
}
