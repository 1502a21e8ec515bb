/**
 * From what a user gives (policy text, a policy file, or a compiled program) to the
 * struct sock_filter bytes the child installs, with errors as BrigErrors. The one place
 * that ties the Kafel stages to the rest of brig.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrigError, invalidOption } from '../errors.js';
import { BpfError, decode, encode, validate } from './bpf.js';
import { compileText } from './codegen.js';
import { PolicyError } from './errors.js';
import type { Arch } from './syscalls/index.js';

/** The architecture of the running kernel, as the syscall tables name it. */
export function hostArch(): Arch {
  if (process.arch === 'x64') return 'x86_64';
  if (process.arch === 'arm64') return 'aarch64';
  throw new BrigError('ENOTSUPPORTED', `seccomp policies are not yet supported on ${process.arch}`, { stage: 'seccomp', option: 'seccomp' });
}

/** `#include "x"` resolves relative to the including file (under nsjail it always fails). */
export function readInclude(name: string, fromFile: string | undefined): { file: string; text: string } {
  const file = path.resolve(fromFile ? path.dirname(fromFile) : process.cwd(), name);
  return { file, text: fs.readFileSync(file, 'utf8') };
}

/** Compile Kafel policy text; `file` names where it came from (for includes and errors). */
export function compilePolicyText(option: string, text: string, file?: string): Uint8Array {
  try {
    return encode(compileText(text, hostArch(), { file, readInclude }));
  } catch (e) {
    if (e instanceof PolicyError) {
      throw new BrigError('EINVALIDOPTION', `seccomp policy: ${e.message}`, { stage: 'seccomp', option, hint: e.hint });
    }
    throw e;
  }
}

export function compilePolicyFile(option: string, file: string): Uint8Array {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BrigError('ESETUP', 'cannot read the seccomp policy', { stage: 'seccomp', option, path: file, errno: -(err.errno ?? -2) });
  }
  return compilePolicyText(option, text, path.resolve(file));
}

/** A compiled program given as bytes: checked with the kernel's rules. */
export function checkProgram(option: string, program: Uint8Array): Uint8Array {
  try {
    validate(decode(Buffer.from(program.buffer, program.byteOffset, program.byteLength)));
  } catch (e) {
    if (e instanceof BpfError) throw invalidOption(option, `seccomp program: ${e.message}`);
    throw e;
  }
  return Uint8Array.from(program);
}
