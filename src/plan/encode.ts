/**
 * encode(): PlannedOp[] -> the flat buffer native/spawn.c walks. The layout of each
 * operation is documented beside its code in native/ops.h; the two must change together.
 */
import type { ChildOp } from './ops.js';

const CODES: Record<ChildOp['op'], number> = {
  waitParent: 1, mount: 2, mountSetattr: 3, pivotRoot: 4, mkdir: 6, mkfile: 7, symlink: 8, chdir: 9,
  sethostname: 10, setrlimit: 11, setsid: 12, newKeyring: 13, loopbackUp: 14, setgroups: 15, setresgid: 16,
  setresuid: 17, caps: 18, noNewPrivs: 19, unshare: 20, writeFile: 21, pdeathsig: 22, fds: 23, openReg: 24,
  execve: 25, execveat: 26, nice: 27, openTree: 28, moveMount: 29,
};
const AT_RECURSIVE = 0x8000;

class Writer {
  private parts: Buffer[] = [];
  private length = 0;
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.push(b);
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return this.push(b);
  }
  u64(v: bigint | number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
    return this.push(b);
  }
  str(s: string): this {
    return this.push(Buffer.from(`${s}\0`, 'utf8'));
  }
  zeros(n: number): this {
    return this.push(Buffer.alloc(n));
  }
  push(b: Buffer): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  get size(): number {
    return this.length;
  }
  concat(): Buffer {
    return Buffer.concat(this.parts, this.length);
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
      [...op.paths, ...op.argv, ...op.env].forEach((s) => w.str(s));
      return;
    case 'execveat':
      w.u32(op.reg).u32(op.argv.length).u32(op.env.length).u32(0);
      w.zeros(8 * (op.argv.length + 1 + op.env.length + 1));
      [...op.argv, ...op.env].forEach((s) => w.str(s));
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
  }
}

export function encode(ops: readonly ChildOp[]): Buffer {
  const out = new Writer();
  for (const op of ops) {
    const w = new Writer();
    body(op, w);
    const padded = (w.size + 8 + 7) & ~7;
    out.u32(CODES[op.op]).u32(padded);
    out.push(w.concat());
    out.zeros(padded - 8 - w.size);
  }
  return out.concat();
}
