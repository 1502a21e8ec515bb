/**
 * Kernel feature probes: does this machine support what brig uses, and if not, why. The
 * same probes drive `brig doctor` and the test suite's skips, so a skip always prints the
 * reason doctor would show.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Probe {
  name: string;
  ok: boolean;
  /** What was found, or why the feature is unavailable. */
  detail: string;
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir || '.', cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function kernelAtLeast(major: number, minor: number): boolean {
  const [a, b] = os.release().split('.').map((x) => parseInt(x, 10));
  return a > major || (a === major && b >= minor);
}

const NAMESPACE_FILES: [string, string][] = [
  ['user', 'user'], ['pid', 'pid'], ['mount', 'mnt'], ['net', 'net'], ['uts', 'uts'], ['ipc', 'ipc'], ['cgroup', 'cgroup'], ['time', 'time'],
];

/** Static probes: files and versions only, no process started. */
export function staticProbes(): Probe[] {
  const probes: Probe[] = [];
  probes.push({ name: 'kernel', ok: kernelAtLeast(5, 12), detail: `${os.release()} (${os.arch()}); brig needs 5.12+ for clone3 with pidfds, open_tree, move_mount and mount_setattr` });
  for (const [name, file] of NAMESPACE_FILES) {
    const ok = fs.existsSync(`/proc/self/ns/${file}`);
    probes.push({ name: `${name} namespace`, ok, detail: ok ? 'supported' : `/proc/self/ns/${file} is missing: the kernel lacks CONFIG_${file.toUpperCase()}_NS` });
  }
  const maxUserNs = readText('/proc/sys/user/max_user_namespaces');
  const unpriv = readText('/proc/sys/kernel/unprivileged_userns_clone');
  const apparmor = readText('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  const userOk = maxUserNs !== '0' && unpriv !== '0' && apparmor !== '1';
  probes.push({
    name: 'user namespaces for unprivileged users', ok: userOk,
    detail: userOk ? `allowed (user.max_user_namespaces = ${maxUserNs ?? 'unknown'})`
      : maxUserNs === '0' ? 'user.max_user_namespaces is 0' : unpriv === '0' ? 'kernel.unprivileged_userns_clone is 0' : 'kernel.apparmor_restrict_unprivileged_userns is 1',
  });
  const helpers = ['newuidmap', 'newgidmap'].map((c) => [c, onPath(c)] as const);
  const missing = helpers.filter(([, p]) => !p).map(([c]) => c);
  probes.push({ name: 'newuidmap/newgidmap', ok: missing.length === 0, detail: missing.length ? `${missing.join(', ')} not found: install the 'uidmap' package to map ranges of ids without privilege` : helpers.map(([, p]) => p).join(', ') });
  const seccomp = readText('/proc/sys/kernel/seccomp/actions_avail');
  probes.push({ name: 'seccomp filters', ok: seccomp !== undefined, detail: seccomp ? `actions: ${seccomp}` : 'no /proc/sys/kernel/seccomp: the kernel lacks CONFIG_SECCOMP_FILTER' });
  probes.push({ name: 'keyrings', ok: fs.existsSync('/proc/keys'), detail: fs.existsSync('/proc/keys') ? 'supported: each sandbox gets its own session keyring' : 'no /proc/keys: the kernel lacks CONFIG_KEYS' });
  probes.push(cgroupProbe());
  return probes;
}

function cgroupProbe(): Probe {
  const root = '/sys/fs/cgroup';
  const v2Controllers = readText(path.join(root, 'cgroup.controllers'));
  if (v2Controllers !== undefined) return { name: 'cgroups', ok: true, detail: `cgroup v2 at ${root} (controllers: ${v2Controllers || 'none'})` };
  let v1: string[] = [];
  try {
    v1 = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'cgroup.procs')) && d !== 'unified');
  } catch {
    return { name: 'cgroups', ok: false, detail: `${root} is not readable` };
  }
  const unified = readText(path.join(root, 'unified', 'cgroup.controllers'));
  return {
    name: 'cgroups', ok: v1.length > 0,
    detail: `v1 hierarchies: ${v1.join(', ') || 'none'}${unified !== undefined ? `; cgroup2 at ${root}/unified (controllers: ${unified || 'none'})` : ''}`,
  };
}

let sandboxProbe: Promise<Probe> | undefined;

/** A real launch with brig's default isolation: the probe that matters most. */
export function probeSandbox(): Promise<Probe> {
  sandboxProbe ??= (async () => {
    try {
      const { run } = await import('../index.js');
      const r = await run({ command: ['/bin/sh', '-c', 'exit 0'] });
      return { name: 'sandbox launch', ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'brig run -- /bin/sh works here' : `exit status ${r.shellStatus}: ${String(r.stderr).trim()}` };
    } catch (e) {
      return { name: 'sandbox launch', ok: false, detail: (e as Error).message };
    }
  })();
  return sandboxProbe;
}

export async function allProbes(): Promise<Probe[]> {
  const { initPath } = await import('../native.js');
  const probes = staticProbes();
  let addon: Probe;
  try {
    const { native } = await import('../native.js');
    native();
    addon = { name: 'native addon', ok: true, detail: 'loaded' };
  } catch (e) {
    addon = { name: 'native addon', ok: false, detail: (e as Error).message };
  }
  probes.push(addon);
  probes.push({ name: 'brig-init', ok: fs.existsSync(initPath), detail: fs.existsSync(initPath) ? initPath : `${initPath} is missing: run 'npm rebuild'` });
  if (addon.ok) probes.push(await probeSandbox());
  return probes;
}
