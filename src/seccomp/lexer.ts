/**
 * Kafel lexer (nsjail.md §8.2): turns policy text into positioned tokens, the first
 * stage of the seccomp compiler (tokens -> AST -> resolved policy -> BPF).
 * `#include` is lexed as one token carrying its file names; tokenizeWithIncludes then
 * splices the included files' tokens in its place, as Kafel's lexer switches buffers,
 * so an include may appear anywhere a token may.
 */
import { posix } from 'node:path';
import { PolicyError, type Pos } from './errors.js';

/** Reserved words; case-sensitive, so `allow` is an ordinary identifier. */
export const KEYWORDS = [
  'SYSCALL', 'ALLOW', 'LOG', 'USER_NOTIF', 'ERRNO', 'KILL_PROCESS', 'KILL_THREAD', 'KILL',
  'DENY', 'TRAP', 'TRACE', 'USE', 'POLICY', 'DEFAULT', 'ON', 'define',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

/** Longest operators first so `<=` is not read as `<` then `=`. */
export const OPERATORS = [
  '==', '!=', '<=', '>=', '||', '&&', '<', '>', '|', '&', '[', ']', '(', ')', '{', '}', ',', '!', '#',
] as const;
export type Operator = (typeof OPERATORS)[number];

interface TokenBase {
  /** The exact source text of the token. */
  readonly text: string;
  readonly pos: Pos;
}
export interface NumberToken extends TokenBase { readonly kind: 'number'; readonly value: bigint }
export interface IdentifierToken extends TokenBase { readonly kind: 'identifier' }
export interface KeywordToken extends TokenBase { readonly kind: 'keyword'; readonly keyword: Keyword }
export interface OperatorToken extends TokenBase { readonly kind: 'operator'; readonly op: Operator }
/** One quoted name of an include directive, with the position of its opening quote. */
export interface IncludeName { readonly name: string; readonly pos: Pos }
export interface IncludeToken extends TokenBase { readonly kind: 'include'; readonly files: readonly IncludeName[] }
export interface EofToken extends TokenBase { readonly kind: 'eof' }
export type Token = NumberToken | IdentifierToken | KeywordToken | OperatorToken | IncludeToken | EofToken;

const U64_LIMIT = 1n << 64n;
const I64_MIN_MAGNITUDE = 1n << 63n;
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

export function isKeyword(word: string): word is Keyword {
  return KEYWORD_SET.has(word);
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isWordChar = (c: string): boolean => isLetter(c) || isDigit(c) || c === '_';

/** A cursor over the source that keeps line and column in step with the index. */
class Scanner {
  index = 0;
  line = 1;
  column = 1;
  constructor(readonly text: string, readonly file: string | undefined) {}

  peek(ahead = 0): string {
    return this.text[this.index + ahead] ?? '';
  }
  atEnd(): boolean {
    return this.index >= this.text.length;
  }
  pos(): Pos {
    return this.file === undefined
      ? { line: this.line, column: this.column }
      : { file: this.file, line: this.line, column: this.column };
  }
  advance(): string {
    const c = this.text[this.index++];
    if (c === '\n') {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
    return c;
  }
  takeWhile(pred: (c: string) => boolean): string {
    const start = this.index;
    while (!this.atEnd() && pred(this.peek())) this.advance();
    return this.text.slice(start, this.index);
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.index);
  }
}

/**
 * Tokenize one policy text. `file` labels positions (and therefore error messages);
 * leave it undefined for the main input, as Kafel prints no file there.
 * The result always ends with an `eof` token.
 */
export function tokenize(text: string, file?: string): Token[] {
  const s = new Scanner(text, file);
  const tokens: Token[] = [];
  for (;;) {
    skipBlanksAndComments(s);
    if (s.atEnd()) {
      tokens.push({ kind: 'eof', text: '', pos: s.pos() });
      return tokens;
    }
    tokens.push(nextToken(s));
  }
}

function skipBlanksAndComments(s: Scanner): void {
  for (;;) {
    const c = s.peek();
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      s.advance();
    } else if (s.startsWith('//')) {
      s.takeWhile((ch) => ch !== '\n');
    } else if (s.startsWith('/*')) {
      skipBlockComment(s);
    } else {
      return;
    }
  }
}

function skipBlockComment(s: Scanner): void {
  const start = s.pos();
  s.advance();
  s.advance();
  while (!s.startsWith('*/')) {
    if (s.atEnd()) throw new PolicyError(start, 'lexical error, unterminated comment', '/*');
    s.advance();
  }
  s.advance();
  s.advance();
}

function nextToken(s: Scanner): Token {
  const c = s.peek();
  if (isDigit(c) || (c === '-' && isDigit(s.peek(1)))) return lexNumber(s);
  if (isLetter(c)) return lexWord(s);
  if (s.startsWith('#include') && !isWordChar(s.peek(8))) return lexInclude(s);
  const pos = s.pos();
  const op = OPERATORS.find((o) => s.startsWith(o));
  if (op === undefined) {
    throw new PolicyError(pos, `lexical error, unexpected char \`${c}'`, c, unexpectedCharHint(c));
  }
  for (let i = 0; i < op.length; i++) s.advance();
  return { kind: 'operator', op, text: op, pos };
}

function unexpectedCharHint(c: string): string | undefined {
  if (c === '_') return 'identifiers must start with a letter';
  if (c === '=') return 'use == to compare';
  if (c === '-') return 'only decimal numbers may be negative, and -0 is not allowed';
  return undefined;
}

function lexWord(s: Scanner): Token {
  const pos = s.pos();
  const text = s.takeWhile(isWordChar);
  if (isKeyword(text)) return { kind: 'keyword', keyword: text, text, pos };
  return { kind: 'identifier', text, pos };
}

/**
 * Numbers are read as the whole run of word characters so that `0x`, `12ab` or `09`
 * are reported as one bad number rather than as a number followed by a confusing name.
 */
function lexNumber(s: Scanner): NumberToken {
  const pos = s.pos();
  const sign = s.peek() === '-' ? s.advance() : '';
  const body = s.takeWhile(isWordChar);
  const text = sign + body;
  const magnitude = parseMagnitude(body, sign === '-');
  if (magnitude === undefined) {
    throw new PolicyError(pos, `lexical error, invalid number \`${text}'`, text, numberHint(body, sign));
  }
  if (sign === '-') {
    // Two's complement like strtoull("-N"), but only for N that fits a signed 64-bit value.
    if (magnitude > I64_MIN_MAGNITUDE) throw outOfRange(pos, text);
    return { kind: 'number', value: (U64_LIMIT - magnitude) % U64_LIMIT, text, pos };
  }
  if (magnitude >= U64_LIMIT) throw outOfRange(pos, text);
  return { kind: 'number', value: magnitude, text, pos };
}

function outOfRange(pos: Pos, text: string): PolicyError {
  return new PolicyError(pos, `lexical error, number \`${text}' out of range`, text, 'numbers are unsigned 64-bit');
}

/** The value of an unsigned literal in any Kafel base, or undefined if malformed. */
function parseMagnitude(body: string, negative: boolean): bigint | undefined {
  if (/^(0|[1-9][0-9]*)$/.test(body)) return negative && body === '0' ? undefined : BigInt(body);
  if (negative) return undefined;
  if (/^0x[0-9a-fA-F]+$/.test(body)) return BigInt(body);
  if (/^0b[01]+$/.test(body)) return BigInt(body);
  if (/^0[0-7]+$/.test(body)) return BigInt('0o' + body.slice(1));
  return undefined;
}

function numberHint(body: string, sign: string): string {
  if (sign === '-') return 'only non-zero decimal numbers may be negative';
  if (/^0[0-9]+$/.test(body)) return 'a leading 0 makes an octal number; digits 8 and 9 are not octal';
  if (/^0[XB]/.test(body)) return 'write the 0x and 0b prefixes in lower case';
  return 'numbers are decimal, 0x hex, 0 octal or 0b binary';
}

/**
 * `#include "a" "b"` up to a newline or `;`. Each name must be preceded by a space or
 * tab, as in Kafel; a comment or anything else inside the directive is an error.
 */
function lexInclude(s: Scanner): IncludeToken {
  const pos = s.pos();
  const start = s.index;
  for (let i = 0; i < '#include'.length; i++) s.advance();
  const files: IncludeName[] = [];
  for (;;) {
    const blanks = s.takeWhile((c) => c === ' ' || c === '\t' || c === '\r');
    if (s.atEnd()) throw new PolicyError(pos, 'lexical error, unterminated include statement', '#include');
    const c = s.peek();
    if (c === '\n' || c === ';') {
      if (files.length === 0) {
        throw new PolicyError(s.pos(), 'lexical error, expected a quoted file name after #include', c === '\n' ? '\\n' : c);
      }
      const text = s.text.slice(start, s.index);
      s.advance();
      return { kind: 'include', files, text, pos };
    }
    if (c !== '"') {
      throw new PolicyError(s.pos(), `lexical error, unexpected char \`${c}' in include statement`, c,
        'file names must be in double quotes; end the statement with a newline or ;');
    }
    if (blanks === '') {
      throw new PolicyError(s.pos(), 'lexical error, missing space before include file name', c);
    }
    files.push(lexIncludeName(s));
  }
}

function lexIncludeName(s: Scanner): IncludeName {
  const pos = s.pos();
  s.advance();
  const name = s.takeWhile((c) => c !== '"' && c !== '\n');
  if (s.peek() !== '"') {
    throw new PolicyError(pos, 'lexical error, unterminated include file name', `"${name}`);
  }
  s.advance();
  if (name === '') throw new PolicyError(pos, 'lexical error, empty include file name', '""');
  return { name, pos };
}

/** Kafel's limit on nested includes (nsjail.md §8.5). */
export const MAX_INCLUDE_DEPTH = 16;

/**
 * Reads an included file. `fromFile` is the including file (undefined for the main
 * input). Return the text, or `{ file, text }` to name the file as the caller
 * resolved it; that name labels errors and detects cycles. Throw if it cannot be read.
 */
export type IncludeReader = (name: string, fromFile: string | undefined) => string | { file: string; text: string };

export interface LexOptions {
  /** The main input's file name; used to resolve includes and detect cycles, never printed. */
  readonly file?: string;
  /** Without a reader every #include fails, as under nsjail (which sets no search path). */
  readonly readInclude?: IncludeReader;
}

/** Tokenize `text` and, recursively, every file it includes, into one token stream. */
export function tokenizeWithIncludes(text: string, options: LexOptions = {}): Token[] {
  const out: Token[] = [];
  const main = tokenize(text);
  expandInto(out, main, [options.file], options.readInclude);
  // The main input's end, not an included file's, is where a missing `}` is reported.
  out.push(main[main.length - 1]);
  return out;
}

/** `chain` holds the files being included, outermost first (the main file may be unnamed). */
function expandInto(out: Token[], tokens: Token[], chain: (string | undefined)[], read: IncludeReader | undefined): void {
  for (const token of tokens) {
    if (token.kind === 'eof') continue;
    if (token.kind !== 'include') {
      out.push(token);
      continue;
    }
    for (const include of token.files) {
      const { file, text } = readIncluded(include, chain, read);
      expandInto(out, tokenize(text, file), [...chain, file], read);
    }
  }
}

function readIncluded(include: IncludeName, chain: (string | undefined)[], read: IncludeReader | undefined): { file: string; text: string } {
  const from = chain[chain.length - 1];
  let result: string | { file: string; text: string };
  try {
    if (read === undefined) throw new Error('no include reader is configured');
    result = read(include.name, from);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new PolicyError(include.pos, `could not include file \`${include.name}'`, include.name, why);
  }
  const named = typeof result === 'string' ? { file: defaultIncludePath(include.name, from), text: result } : result;
  if (chain.includes(named.file)) {
    const cycle = [...chain.slice(chain.indexOf(named.file)), named.file].join(' -> ');
    throw new PolicyError(include.pos, `include cycle: ${cycle}`, include.name);
  }
  if (chain.length > MAX_INCLUDE_DEPTH) {
    throw new PolicyError(include.pos, `maximum include depth (${MAX_INCLUDE_DEPTH}) exceeded`, include.name);
  }
  return named;
}

/** Relative names are taken relative to the including file's directory. */
function defaultIncludePath(name: string, from: string | undefined): string {
  if (from === undefined || posix.isAbsolute(name)) return posix.normalize(name);
  return posix.join(posix.dirname(from), name);
}
