/**
 * brig's library API: run() a command in a sandbox and get its Result, or spawn() it and
 * drive it through a Sandbox handle. Option types and errors are exported from here only.
 */
import { validate } from './config/validate.js';
import type { Options } from './options.js';
import type { Result } from './runtime/launch.js';
import { Sandbox } from './runtime/sandbox.js';

export type { Options, Mount, IdMap, NamespaceName, RlimitName, RlimitValue, StdioOption } from './options.js';
export type { Result, Status } from './runtime/launch.js';
export { BrigError, type ErrorCode, type Stage } from './errors.js';
export { Sandbox } from './runtime/sandbox.js';

/**
 * Run a command in a sandbox and resolve with its Result once it has ended. Rejects with a
 * BrigError when the options are invalid or the sandbox cannot be set up. stdout and
 * stderr are collected by default; stdin is /dev/null unless `input` or `stdin` say otherwise.
 */
export function run(options: Options): Promise<Result> {
  try {
    return new Sandbox(validate(options, { stdio: ['ignore', 'pipe', 'pipe'] }), true).wait();
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Start a command in a sandbox and return its handle at once. Invalid options throw a
 * BrigError synchronously; setup failures emit 'error' and reject wait() and ready.
 * All three standard streams are pipes unless the options say otherwise.
 */
export function spawn(options: Options): Sandbox {
  return new Sandbox(validate(options, { stdio: ['pipe', 'pipe', 'pipe'] }), false);
}
