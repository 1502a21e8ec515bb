/**
 * BrigError: every failure brig reports, with a stable `code` users can switch on and the
 * stage, syscall, path and errno where known. docs/errors.md lists the codes.
 */
import { constants, strerror } from './util/errno.js';

/** Where in the sandbox's life a failure happened. */
export type Stage =
  | 'validate' | 'clone' | 'idmap' | 'mount' | 'process' | 'exec' | 'runtime' | 'cgroup' | 'net' | 'seccomp';

/** Stable error codes (see docs/errors.md). */
export type ErrorCode =
  | 'EINVALIDOPTION' // an option is unknown, malformed or contradicts another
  | 'ESETUP' // a kernel operation needed to build the sandbox failed
  | 'ENOTFOUND' // the command was not found in the sandbox
  | 'ENOTSUPPORTED' // the option is accepted but its subsystem is not built yet
  | 'EKERNEL'; // the kernel lacks a feature brig needs

export interface BrigErrorDetails {
  stage: Stage;
  syscall?: string;
  errno?: number;
  path?: string;
  option?: string;
  hint?: string;
}

export class BrigError extends Error {
  readonly code: ErrorCode;
  readonly stage: Stage;
  readonly syscall?: string;
  readonly errno?: number;
  /** The errno's symbolic name, e.g. 'ENOENT'. */
  readonly errnoName?: string;
  readonly path?: string;
  readonly option?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, what: string, details: BrigErrorDetails) {
    super(formatMessage(what, details));
    this.name = 'BrigError';
    this.code = code;
    this.stage = details.stage;
    this.syscall = details.syscall;
    this.errno = details.errno;
    this.errnoName = details.errno === undefined ? undefined : constants[details.errno];
    this.path = details.path;
    this.option = details.option;
    this.hint = details.hint;
  }
}

/** `<stage>: <what> (<path>): <strerror>` — the CLI prefixes `brig: ` and adds the hint. */
function formatMessage(what: string, d: BrigErrorDetails): string {
  let msg = `${d.stage}: ${what}`;
  if (d.path !== undefined) msg += ` (${d.path})`;
  if (d.errno !== undefined) msg += `: ${strerror(d.errno)}`;
  return msg;
}

export function invalidOption(option: string, what: string, hint?: string): BrigError {
  return new BrigError('EINVALIDOPTION', what, { stage: 'validate', option, hint });
}

export function notSupported(option: string, subsystem: string): BrigError {
  return new BrigError('ENOTSUPPORTED', `${option} is not yet supported (${subsystem} is not built yet)`, {
    stage: 'validate',
    option,
  });
}
