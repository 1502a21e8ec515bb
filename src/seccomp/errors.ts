/**
 * PolicyError: every problem found while reading a Kafel seccomp policy (lexing,
 * parsing, include handling, policy resolution). The message follows Kafel's
 * `line:col: message` form, with a `file:` prefix when the problem is inside an
 * included file, so users who know nsjail's errors recognise ours.
 */

/** A 1-based source position; `file` is set only inside included files, as in Kafel. */
export interface Pos {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
}

export class PolicyError extends Error {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  /** The offending source text (a token, a character, a name). */
  readonly text: string;
  /** The message without the position prefix. */
  readonly reason: string;
  /** A suggestion for the user, e.g. a did-you-mean; not part of `message`. */
  readonly hint?: string;

  constructor(pos: Pos, reason: string, text: string, hint?: string) {
    super(`${formatPos(pos)}: ${reason}`);
    this.name = 'PolicyError';
    this.file = pos.file;
    this.line = pos.line;
    this.column = pos.column;
    this.text = text;
    this.reason = reason;
    this.hint = hint;
  }
}

/** `file:line:col` inside includes, `line:col` in the main input. */
export function formatPos(pos: Pos): string {
  const where = `${pos.line}:${pos.column}`;
  return pos.file === undefined ? where : `${pos.file}:${where}`;
}
