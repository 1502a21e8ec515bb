/** `brig doctor`: a table of the kernel features brig uses and whether each works here. */
import { allProbes } from '../probe/features.js';

export async function doctor(argv: string[]): Promise<number> {
  const probes = await allProbes();
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(probes, null, 2)}\n`);
  } else {
    const width = Math.max(...probes.map((p) => p.name.length));
    for (const p of probes) process.stdout.write(`${p.ok ? 'ok  ' : 'FAIL'}  ${p.name.padEnd(width)}  ${p.detail}\n`);
  }
  return probes.every((p) => p.ok || p.name === 'newuidmap/newgidmap') ? 0 : 1;
}
