/**
 * Parent-side id mapping: write /proc/PID/{setgroups,uid_map,gid_map} while the child
 * waits, directly when permitted, or through the setuid newuidmap/newgidmap helpers for
 * ranges an unprivileged caller may only use through /etc/subuid and /etc/subgid.
 */
import * as fs from 'node:fs';
import { BrigError } from '../errors.js';
import type { IdMapSpec, Spec } from '../spec.js';

export function mapText(map: IdMapSpec[]): string {
  return map.map((m) => `${m.inside} ${m.outside} ${m.count}\n`).join('');
}

function writeProc(pid: number, file: string, text: string): void {
  const p = `/proc/${pid}/${file}`;
  try {
    fs.writeFileSync(p, text);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BrigError('ESETUP', `cannot write ${file}`, {
      stage: 'idmap', syscall: 'write', errno: -(err.errno ?? -1), path: p,
      hint: file.endsWith('_map') ? 'only your own id can be mapped without privilege; other ids need newuidmap/newgidmap and /etc/subuid, /etc/subgid' : undefined,
    });
  }
}

async function runHelper(helper: string, pid: number, map: IdMapSpec[]): Promise<void> {
  const args = [String(pid), ...map.flatMap((m) => [String(m.inside), String(m.outside), String(m.count)])];
  // Loaded on demand: most launches never need it, and it costs the CLI's start-up.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(helper, args, { timeout: 10000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOENT';
      reject(new BrigError('ESETUP', missing ? `${helper} is not installed` : `${helper} refused the map: ${stderr.trim() || error.message}`, {
        stage: 'idmap', path: helper, errno: missing ? 2 : undefined,
        hint: missing ? "install the 'uidmap' package (newuidmap/newgidmap)" : `check /etc/${helper === 'newuidmap' ? 'subuid' : 'subgid'} for your user`,
      }));
    });
  });
}

export async function writeIdMaps(pid: number, spec: Spec): Promise<void> {
  const privileged = (process.geteuid?.() ?? 0) === 0;
  const gidHelper = spec.gidMap.some((m) => m.useNewidmap);
  // Without privilege the kernel demands setgroups be denied before a gid map is written;
  // newgidmap writes the map itself and leaves setgroups allowed.
  if (!privileged && !gidHelper) writeProc(pid, 'setgroups', 'deny');
  if (spec.uidMap.some((m) => m.useNewidmap)) await runHelper('newuidmap', pid, spec.uidMap);
  else writeProc(pid, 'uid_map', mapText(spec.uidMap));
  if (gidHelper) await runHelper('newgidmap', pid, spec.gidMap);
  else writeProc(pid, 'gid_map', mapText(spec.gidMap));
}
