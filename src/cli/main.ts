/**
 * The brig command. The first word picks a subcommand (run, doctor, help); anything else is
 * the nsjail face, which is not built yet. Errors print one lowercase line
 * `brig: <stage>: <what> (<path>): <strerror>` plus a hint, and exit 255.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../paths.js';
import { BrigError } from '../errors.js';
import { optionsMarkdown, runHelp, USAGE } from './help.js';

const SUBCOMMANDS = ['run', 'doctor', 'seccomp', 'help'];

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    switch (first) {
      case 'run':
        return await runCommand(rest);
      case 'seccomp': {
        const { seccompCommand } = await import('./seccomp.js');
        return await seccompCommand(rest);
      }
      case 'doctor': {
        const { doctor } = await import('./doctor.js');
        return await doctor(rest);
      }
      case 'help':
      case '--help':
      case '-h':
        if (rest[0] === '--markdown') process.stdout.write(`${optionsMarkdown()}\n`);
        else process.stdout.write(`${runHelp()}\n`);
        return 0;
      case '--version':
      case '-V':
        process.stdout.write(`brig ${version()}\n`);
        return 0;
      case undefined:
        process.stderr.write(`${USAGE}\n`);
        return 255;
      default: {
        const { nearest } = await import('../util/suggest.js');
        const near = first.startsWith('-') ? undefined : nearest(first, SUBCOMMANDS);
        if (near) throw new BrigError('EINVALIDOPTION', `unknown command '${first}'`, { stage: 'validate', hint: `did you mean 'brig ${near}'?` });
        throw new BrigError('ENOTSUPPORTED', 'the nsjail-compatible face (brig [nsjail flags] -- COMMAND) is not yet supported', {
          stage: 'validate', hint: "use 'brig run [options] -- COMMAND'; nsjail's flag names work there",
        });
      }
    }
  } catch (e) {
    return report(e);
  }
}

async function runCommand(argv: string[]): Promise<number> {
  const { parseRunArgs } = await import('./parse.js');
  const parsed = parseRunArgs(argv);
  if (parsed.help) {
    process.stdout.write(`${runHelp()}\n`);
    return 0;
  }
  const { validate } = await import('../config/validate.js');
  const { Sandbox } = await import('../runtime/sandbox.js');
  const spec = validate(parsed.options, { stdio: ['inherit', 'inherit', 'inherit'] });
  const sandbox = new Sandbox(spec, false);
  // Like nsjail: a terminating signal to brig kills the whole sandbox.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => sandbox.kill('SIGKILL'));
  const result = await sandbox.wait();
  if (result.status === 'timeout') process.stderr.write(`brig: time limit of ${spec.timeLimitMs / 1000}s reached, sandbox killed\n`);
  if (result.status === 'seccomp') process.stderr.write('brig: the seccomp filter killed the command (SIGSYS)\n');
  return result.shellStatus;
}

export function report(e: unknown): number {
  if (e instanceof BrigError) {
    process.stderr.write(`brig: ${e.message}\n`);
    if (e.hint) process.stderr.write(`brig: hint: ${e.hint}\n`);
    return 255;
  }
  const err = e as Error;
  process.stderr.write(`brig: internal error: ${err?.stack ?? String(e)}\n`);
  return 255;
}

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
