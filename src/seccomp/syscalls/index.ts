// Lookup API over the generated per-architecture syscall tables
// (x86_64.ts / aarch64.ts, produced by scripts/gen-syscalls.mjs).
import * as x86_64 from './x86_64.js';
import * as aarch64 from './aarch64.js';

export type Arch = 'x86_64' | 'aarch64';

/** One syscall: Kafel's name, its number, and its arguments as [name, size in bytes]. */
export interface SyscallEntry {
  name: string;
  nr: number;
  args: readonly (readonly [string, 4 | 8])[];
}

/** AUDIT_ARCH_* values as found in seccomp_data.arch. */
export const AUDIT_ARCH: Readonly<Record<Arch, number>> = {
  x86_64: 0xc000003e,
  aarch64: 0xc00000b7,
};

export const ARCHES: readonly Arch[] = ['x86_64', 'aarch64'];

interface ArchTable {
  byName: Map<string, SyscallEntry>;
  byNr: Map<number, SyscallEntry>;
  aliases: Readonly<Record<string, string>>;
  names: string[];
}

const SOURCES: Record<Arch, { SYSCALLS: readonly SyscallEntry[]; ALIASES: Readonly<Record<string, string>> }> = {
  x86_64,
  aarch64,
};

const cache = new Map<Arch, ArchTable>();

function table(arch: Arch): ArchTable {
  let t = cache.get(arch);
  if (t) return t;
  const src = SOURCES[arch];
  if (!src) throw new Error(`unknown architecture: ${String(arch)}`);
  const byName = new Map<string, SyscallEntry>();
  const byNr = new Map<number, SyscallEntry>();
  for (const e of src.SYSCALLS) {
    byName.set(e.name, e);
    byNr.set(e.nr, e);
  }
  t = { byName, byNr, aliases: src.ALIASES, names: src.SYSCALLS.map((e) => e.name) };
  cache.set(arch, t);
  return t;
}

/** Looks a syscall up by Kafel name, or by a familiar alias (stat → newstat, ...). Case-sensitive. */
export function lookupSyscall(arch: Arch, name: string): SyscallEntry | undefined {
  const t = table(arch);
  const direct = t.byName.get(name);
  if (direct) return direct;
  if (Object.prototype.hasOwnProperty.call(t.aliases, name)) {
    const target = t.aliases[name];
    return target === undefined ? undefined : t.byName.get(target);
  }
  return undefined;
}

/** Looks a syscall up by number. */
export function syscallByNumber(arch: Arch, nr: number): SyscallEntry | undefined {
  return table(arch).byNr.get(nr);
}

/** All Kafel syscall names for the arch, in number order (aliases not included). */
export function syscallNames(arch: Arch): string[] {
  return [...table(arch).names];
}

/** The alias map (familiar name → Kafel name) for the arch. */
export function syscallAliases(arch: Arch): Readonly<Record<string, string>> {
  return table(arch).aliases;
}
