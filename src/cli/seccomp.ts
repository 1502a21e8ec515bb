/**
 * `brig seccomp compile|check`: Kafel policies outside a sandbox. compile prints the filter
 * (raw struct sock_filter bytes, a C array, a listing, or JSON); check says what a policy
 * does with one system call, by running the compiled filter in the BPF interpreter.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrigError, invalidOption } from '../errors.js';
import { encode, type Insn } from '../seccomp/bpf.js';
import { compileText } from '../seccomp/codegen.js';
import { disassemble } from '../seccomp/disasm.js';
import { PolicyError } from '../seccomp/errors.js';
import { run as interpret } from '../seccomp/interp.js';
import { hostArch, readInclude } from '../seccomp/load.js';
import { ARCHES, AUDIT_ARCH, lookupSyscall, type Arch } from '../seccomp/syscalls/index.js';
import { nearest } from '../util/suggest.js';

export const SECCOMP_USAGE = `usage: brig seccomp compile (FILE | -e POLICY) [--arch x86_64|aarch64] [--format raw|c|asm|json]
       brig seccomp check (FILE | -e POLICY) [--arch ARCH] SYSCALL [ARG...]`;
const FORMATS = ['raw', 'c', 'asm', 'json'] as const;

interface Args {
  text: string;
  file?: string;
  arch: Arch;
  format: (typeof FORMATS)[number];
  rest: string[];
}

function parseArgs(argv: string[]): Args {
  let text: string | undefined;
  let file: string | undefined;
  let arch: Arch | undefined;
  let format: Args['format'] = 'asm';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw invalidOption(a, `${a} needs a value`);
      return argv[++i];
    };
    if (a === '-e') text = value();
    else if (a === '--arch') arch = choose('--arch', value(), ARCHES);
    else if (a === '--format') format = choose('--format', value(), FORMATS);
    else if (a.startsWith('-') && a !== '-' && !/^-?\d/.test(a)) throw invalidOption(a, `unknown option '${a}'`, SECCOMP_USAGE);
    else if (text === undefined && file === undefined) file = a;
    else rest.push(a);
  }
  if (file !== undefined && text === undefined) {
    try {
      text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      throw new BrigError('ESETUP', 'cannot read the policy', { stage: 'seccomp', path: file, errno: -((e as NodeJS.ErrnoException).errno ?? -2) });
    }
  }
  if (text === undefined) throw invalidOption('policy', 'no policy given', SECCOMP_USAGE);
  return { text, file: file && file !== '-' ? path.resolve(file) : undefined, arch: arch ?? hostArch(), format, rest };
}

function choose<T extends string>(flag: string, v: string, values: readonly T[]): T {
  if ((values as readonly string[]).includes(v)) return v as T;
  const near = nearest(v, values);
  throw invalidOption(flag, `${flag} must be one of ${values.join(', ')}, not '${v}'`, near ? `did you mean '${near}'?` : undefined);
}

function compileArgs(a: Args): Insn[] {
  try {
    return compileText(a.text, a.arch, { file: a.file, readInclude });
  } catch (e) {
    if (e instanceof PolicyError) throw new BrigError('EINVALIDOPTION', e.message, { stage: 'seccomp', option: 'policy', hint: e.hint });
    throw e;
  }
}

function format(insns: Insn[], how: Args['format']): string | Buffer {
  switch (how) {
    case 'raw':
      return encode(insns);
    case 'json':
      return `${JSON.stringify(insns)}\n`;
    case 'c':
      return `/* ${insns.length} instructions; struct sock_filter */\n{\n${insns
        .map((x) => `  { 0x${x.code.toString(16).padStart(2, '0')}, ${x.jt}, ${x.jf}, 0x${(x.k >>> 0).toString(16).padStart(8, '0')} },`)
        .join('\n')}\n}\n`;
    case 'asm':
      return disassemble(insns);
  }
}

/** A number as the C library would read it (decimal, 0x hex, 0 octal), as u64. */
function argValue(s: string): bigint {
  const m = /^(-?)(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(s);
  if (!m) throw invalidOption('ARG', `not a number: '${s}'`);
  const v = /^0x/i.test(m[2]) ? BigInt(m[2]) : m[2].length > 1 ? BigInt(`0o${m[2].slice(1)}`) : BigInt(m[2]);
  return BigInt.asUintN(64, m[1] ? -v : v);
}

export async function seccompCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'compile') {
    const a = parseArgs(rest);
    if (a.rest.length) throw invalidOption(a.rest[0], `unexpected argument '${a.rest[0]}'`, SECCOMP_USAGE);
    process.stdout.write(format(compileArgs(a), a.format));
    return 0;
  }
  if (sub === 'check') {
    const a = parseArgs(rest);
    const [name, ...args] = a.rest;
    if (!name) throw invalidOption('SYSCALL', 'no system call given', SECCOMP_USAGE);
    const entry = /^\d+$/.test(name) ? { name, nr: Number(name) } : lookupSyscall(a.arch, name);
    if (!entry) throw invalidOption('SYSCALL', `unknown system call '${name}' on ${a.arch}`);
    if (args.length > 6) throw invalidOption('ARG', 'a system call has at most 6 arguments');
    const r = interpret(compileArgs(a), { nr: entry.nr, arch: AUDIT_ARCH[a.arch], args: args.map(argValue) });
    const data = ['ERRNO', 'TRAP', 'TRACE'].includes(r.action) ? `(${r.data})` : '';
    process.stdout.write(`${entry.name}(${args.join(', ')}) on ${a.arch}: ${r.action}${data} after ${r.steps} instructions\n`);
    return 0;
  }
  if (sub === 'learn') {
    throw new BrigError('ENOTSUPPORTED', "'brig seccomp learn' is not yet supported (the user-notification listener is not built yet)", { stage: 'validate', option: 'learn' });
  }
  const near = sub === undefined ? undefined : nearest(sub, ['compile', 'check', 'learn']);
  throw invalidOption(sub ?? 'seccomp', sub === undefined ? 'no seccomp subcommand' : `unknown seccomp subcommand '${sub}'`,
    near ? `did you mean 'brig seccomp ${near}'?` : SECCOMP_USAGE);
}

