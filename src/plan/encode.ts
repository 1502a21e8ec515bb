/**
 * encode(): PlannedOp[] -> the flat buffer native/spawn.c walks. The layout of each
 * operation is documented beside its code in native/ops.h; the two must change together.
 * It runs on every launch, so it writes into one growing buffer rather than many small ones.
 */
import type { ChildOp } from './ops.js';

const CODES: Record<ChildOp['op'], number> = {
  waitParent: 1, mount: 2, mountSetattr: 3, pivotRoot: 4, mkdir: 6, mkfile: 7, symlink: 8, chdir: 9,
  sethostname: 10, setrlimit: 11, setsid: 12, newKeyring: 13, loopbackUp: 14, setgroups: 15, setresgid: 16,
  setresuid: 17, caps: 18, noNewPrivs: 19, unshare: 20, writeFile: 21, pdeathsig: 22, fds: 23, openReg: 24,
  execve: 25, execveat: 26, nice: 27, openTree: 28, moveMount: 29, fsmount: 30, nestedUserns: 31, seccomp: 32,
};
const AT_RECURSIVE = 0x8000;

class Writer {
  buf = Buffer.alloc(8192);
  pos = 0;
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  i32(v: number): this {
    this.room(4);
    this.buf.writeInt32LE(v, this.pos);
    this.pos += 4;
    return this;
  }
  u64(v: bigint | number): this {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), this.pos);
    this.pos += 8;
    return this;
  }
  str(s: string): this {
    const n = Buffer.byteLength(s);
    this.room(n + 1);
    this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos + n] = 0;
    this.pos += n + 1;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /** Zero bytes (the buffer is zero-filled, so only the position moves). */
  zeros(n: number): this {
    this.room(n);
    this.pos += n;
    return this;
  }
}

function body(op: ChildOp, w: Writer): void {
  switch (op.op) {
    case 'waitParent': case 'setsid': case 'newKeyring': case 'loopbackUp': case 'noNewPrivs':
      return;
    case 'mount':
      w.u64(op.flags).str(op.source).str(op.target).str(op.fstype).str(op.data);
      return;
    case 'mountSetattr':
      w.u64(op.set).u64(op.clear).u32(op.recursive ? AT_RECURSIVE : 0).i32(op.reg).str(op.path);
      return;
    case 'pivotRoot':
      w.str(op.newRoot);
      return;
    case 'mkdir': case 'mkfile':
      w.u32(op.mode).u32(0).str(op.path);
      return;
    case 'symlink':
      w.str(op.target).str(op.path);
      return;
    case 'chdir':
      w.str(op.path);
      return;
    case 'sethostname':
      w.str(op.name);
      return;
    case 'setrlimit':
      w.u32(op.resource).u32(0).u64(op.soft).u64(op.hard);
      return;
    case 'setgroups':
      w.u32(op.gids.length).u32(0);
      op.gids.forEach((g) => w.u32(g));
      if (op.gids.length % 2) w.u32(0);
      return;
    case 'setresgid':
      w.u32(op.gid).u32(0);
      return;
    case 'setresuid':
      w.u32(op.uid).u32(op.keepCaps ? 1 : 0);
      return;
    case 'caps':
      w.u64(op.keep);
      return;
    case 'unshare':
      w.u64(op.flags);
      return;
    case 'writeFile':
      w.str(op.path).str(op.content);
      return;
    case 'pdeathsig':
      w.u32(op.signal).u32(0);
      return;
    case 'fds':
      w.u32(op.pairs.length).u32(0);
      op.pairs.forEach(([src, dst]) => w.i32(src).i32(dst));
      return;
    case 'openReg':
      w.u32(op.flags).u32(op.reg).str(op.path);
      return;
    case 'execve':
      w.u32(op.paths.length).u32(op.argv.length).u32(op.env.length).u32(0);
      w.zeros(8 * (op.argv.length + 1 + op.env.length + 1));
      for (const s of op.paths) w.str(s);
      for (const s of op.argv) w.str(s);
      for (const s of op.env) w.str(s);
      return;
    case 'execveat':
      w.u32(op.reg).u32(op.argv.length).u32(op.env.length).u32(0);
      w.zeros(8 * (op.argv.length + 1 + op.env.length + 1));
      for (const s of op.argv) w.str(s);
      for (const s of op.env) w.str(s);
      return;
    case 'nice':
      w.i32(op.value).u32(0);
      return;
    case 'openTree':
      w.u32(op.reg).u32(0).str(op.path);
      return;
    case 'moveMount':
      w.u32(op.reg).u32(0).str(op.target);
      return;
    case 'fsmount':
      w.u32(op.reg).u32(op.attrs).str(op.fstype);
      return;
    case 'nestedUserns':
      w.str(op.uidMap).str(op.gidMap);
      return;
    case 'seccomp':
      w.u32(op.flags).u32(op.program.length / 8).bytes(op.program);
      return;
  }
}

export function encode(ops: readonly ChildOp[]): Buffer {
  const w = new Writer();
  for (const op of ops) {
    const start = w.pos;
    w.u32(CODES[op.op]).u32(0);
    body(op, w);
    const size = (w.pos - start + 7) & ~7;
    w.zeros(start + size - w.pos);
    w.buf.writeUInt32LE(size, start + 4);
  }
  return w.buf.subarray(0, w.pos);
}
