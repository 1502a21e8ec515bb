#!/usr/bin/env node
// Runs the test tiers: unit (anyone), system (root, real kernel), rootless (as an
// unprivileged user, via setpriv, from a copy of the package that user can read).
// A tier that cannot run here says why; under CI=true that counts as a failure.
// `node test/run.js unit system` runs only the named tiers.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ci = process.env.CI === 'true';
const only = process.argv.slice(2);
const UNPRIVILEGED = 65534;
let failed = false;

const wanted = (tier) => only.length === 0 || only.includes(tier);

function testFiles(base, dir) {
  const d = path.join(base, 'test', dir);
  return fs.readdirSync(d).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(d, f));
}

function runTier(tier, command, args, opts = {}) {
  console.log(`\n# tier: ${tier}`);
  const r = spawnSync(command, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) failed = true;
}

function skipTier(tier, why) {
  console.log(`\n# tier: ${tier} skipped: ${why}`);
  if (ci) failed = true;
}

const nodeTest = (files) => [process.execPath, ['--test', '--test-concurrency=2', ...files]];

if (wanted('unit')) runTier('unit', ...nodeTest(testFiles(root, 'unit')));
if (wanted('system')) {
  if (process.geteuid() === 0) runTier('system', ...nodeTest(testFiles(root, 'system')));
  else skipTier('system', 'needs root');
}
if (wanted('rootless')) runRootless();

function runRootless() {
  if (process.geteuid() !== 0) return skipTier('rootless', 'needs root to switch to an unprivileged user');
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
  if (!setpriv) return skipTier('rootless', 'setpriv (util-linux) is not installed');
  // A copy the unprivileged user can read, wherever the checkout lives.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'brig-rootless-'));
  const restore = addSubordinateIds();
  try {
    for (const p of ['package.json', 'bin', 'dist', 'build/Release/brig.node', 'build/Release/brig-init', 'test']) {
      fs.cpSync(path.join(root, p), path.join(copy, p), { recursive: true });
    }
    spawnSync('chmod', ['-R', 'a+rX', copy]);
    fs.chmodSync(copy, 0o755);
    const [node, args] = nodeTest(testFiles(copy, 'rootless'));
    runTier('rootless', setpriv, [`--reuid=${UNPRIVILEGED}`, `--regid=${UNPRIVILEGED}`, '--clear-groups', node, ...args], {
      cwd: copy,
      env: { PATH: process.env.PATH, HOME: copy, CI: process.env.CI ?? '', BRIG_TEST_SUBIDS: restore ? '300000:65536' : '' },
    });
  } finally {
    restore?.();
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

/** Give the unprivileged user subordinate ids for the newuidmap tests; returns a restorer,
 *  or undefined when newuidmap is not installed. */
function addSubordinateIds() {
  if (!['/usr/bin/newuidmap', '/bin/newuidmap'].some((p) => fs.existsSync(p))) return undefined;
  const name = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(UNPRIVILEGED))?.split(':')[0];
  if (!name) return undefined;
  const saved = {};
  for (const f of ['/etc/subuid', '/etc/subgid']) {
    saved[f] = fs.existsSync(f) ? fs.readFileSync(f) : null;
    fs.appendFileSync(f, `${name}:300000:65536\n`);
  }
  return () => {
    for (const [f, content] of Object.entries(saved)) {
      if (content === null) fs.rmSync(f, { force: true });
      else fs.writeFileSync(f, content);
    }
  };
}

process.exitCode = failed ? 1 : 0;
