/** Host user and group names -> ids, read from /etc/passwd and /etc/group (as nsjail's
 *  getpwnam/getgrnam lookups, without NSS modules). */
import * as fs from 'node:fs';

export function lookupId(kind: 'user' | 'group', name: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(kind === 'user' ? '/etc/passwd' : '/etc/group', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && /^\d+$/.test(f[2] ?? '')) return Number(f[2]);
  }
  return undefined;
}
