/** The caller's current rlimits, read from /proc/self/limits for the max/def keywords. */
import * as fs from 'node:fs';
import type { RlimitName } from '../options.js';
import type { RlimitSpec } from '../spec.js';

const ROWS: Record<string, RlimitName> = {
  'Max cpu time': 'cpu', 'Max file size': 'fsize', 'Max stack size': 'stack', 'Max core file size': 'core',
  'Max processes': 'nproc', 'Max open files': 'nofile', 'Max locked memory': 'memlock', 'Max address space': 'as',
  'Max msgqueue size': 'msgqueue', 'Max realtime priority': 'rtprio',
};
const INFINITY = 0xffffffffffffffffn;

export function readCurrentRlimits(wanted: RlimitSpec[]): Partial<Record<RlimitName, [bigint, bigint]>> {
  const out: Partial<Record<RlimitName, [bigint, bigint]>> = {};
  if (!wanted.some((r) => r.soft < 0n || r.hard < 0n)) return out;
  for (const line of fs.readFileSync('/proc/self/limits', 'utf8').split('\n')) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const name = m && ROWS[m[1]];
    if (!m || !name) continue;
    const value = (s: string) => (s === 'unlimited' ? INFINITY : BigInt(s));
    out[name] = [value(m[2]), value(m[3])];
  }
  return out;
}
