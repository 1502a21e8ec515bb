/**
 * Command-line option parser with GNU getopt_long semantics, driven by a
 * table of option specs. It is how the nsjail-compatible CLI reads argv, so
 * it has to accept exactly what nsjail's getopt_long would: long-name
 * abbreviations, `--name=value`, short clusters, `--`, and argument
 * permutation (or POSIX stop-at-first-operand when asked).
 *
 * Pure: it returns occurrences in order and throws GetoptError; printing and
 * exiting are the caller's business.
 */
import { editDistance, nearest } from '../util/suggest.js';

export interface OptionSpec {
  /** Long names without dashes, e.g. ['time-limit', 'time_limit']. First is canonical. */
  long: string[];
  /** Single-letter short names, e.g. ['t']. */
  short?: string[];
  /** 'none' = flag; 'required' = takes a value. (No optional-argument options exist.) */
  arg: 'none' | 'required';
  /** Opaque key returned with each occurrence so the caller can map back to its table row. */
  key: string;
}

export interface Occurrence {
  key: string;
  /** The option as the user wrote it, e.g. '--time_limit', '--time' (abbreviated) or '-t'. */
  name: string;
  value?: string;
}

export interface ParseResult {
  occurrences: Occurrence[];
  operands: string[];
}

export class GetoptError extends Error {
  readonly code = 'EINVALIDOPTION';

  /**
   * @param option the option as the user wrote it (without any `=value`)
   * @param hint a "did you mean ...?" suggestion, when one is close enough
   */
  constructor(
    message: string,
    readonly option: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'GetoptError';
  }
}

/** One long name and the row it belongs to; aliases of a row share `spec`. */
interface LongEntry {
  name: string;
  spec: OptionSpec;
}

/** Lookup structures built once per parse. */
interface Table {
  longs: LongEntry[];
  shorts: Map<string, OptionSpec>;
}

/** The resolved long option: its row and which of its names matched. */
interface LongMatch {
  spec: OptionSpec;
  name: string;
}

export function getopt(
  argv: string[],
  options: OptionSpec[],
  opts: { stopAtFirstOperand?: boolean } = {},
): ParseResult {
  const table = buildTable(options);
  const occurrences: Occurrence[] = [];
  const operands: string[] = [];
  let index = 0;
  while (index < argv.length) {
    const word = argv[index++];
    if (word === '--') {
      operands.push(...argv.slice(index));
      break;
    }
    if (!isOptionWord(word)) {
      if (opts.stopAtFirstOperand) {
        operands.push(word, ...argv.slice(index));
        break;
      }
      // GNU permutes: the operand is set aside and option parsing carries on.
      operands.push(word);
      continue;
    }
    index = word.startsWith('--')
      ? parseLong(word, argv, index, table, occurrences)
      : parseShort(word, argv, index, table, occurrences);
  }
  return { occurrences, operands };
}

function buildTable(options: OptionSpec[]): Table {
  const longs: LongEntry[] = [];
  const shorts = new Map<string, OptionSpec>();
  for (const spec of options) {
    for (const name of spec.long) longs.push({ name, spec });
    for (const letter of spec.short ?? []) shorts.set(letter, spec);
  }
  return { longs, shorts };
}

/** A lone '-' conventionally means stdin, so getopt treats it as an operand. */
function isOptionWord(word: string): boolean {
  return word.length > 1 && word.startsWith('-');
}

/** Handles one `--name[=value]` word; returns the index of the next unread word. */
function parseLong(
  word: string,
  argv: string[],
  index: number,
  table: Table,
  out: Occurrence[],
): number {
  const body = word.slice(2);
  const eq = body.indexOf('=');
  const written = eq === -1 ? body : body.slice(0, eq);
  const inline = eq === -1 ? undefined : body.slice(eq + 1);
  const option = `--${written}`;
  const { spec, name } = resolveLong(written, table, option);
  if (spec.arg === 'none') {
    // Even `--flag=` is refused: an '=' means the user thinks it takes a value.
    if (inline !== undefined) {
      throw new GetoptError(`option '--${name}' doesn't allow an argument`, option);
    }
    out.push({ key: spec.key, name: option });
    return index;
  }
  if (inline !== undefined) {
    out.push({ key: spec.key, name: option, value: inline });
    return index;
  }
  return takeNextWord(argv, index, spec, option, `--${name}`, out);
}

/**
 * The required value of an option that ended its word is the next word,
 * verbatim, even when it starts with '-' (so `-t -5` works, as in getopt).
 */
function takeNextWord(
  argv: string[],
  index: number,
  spec: OptionSpec,
  option: string,
  display: string,
  out: Occurrence[],
): number {
  if (index >= argv.length) {
    throw new GetoptError(`option '${display}' requires an argument`, option);
  }
  out.push({ key: spec.key, name: option, value: argv[index] });
  return index + 1;
}

/**
 * Exact name first, then a prefix that identifies a single row. Aliases of one
 * row count as one option, so `--time` is fine given time-limit/time_limit.
 */
function resolveLong(written: string, table: Table, option: string): LongMatch {
  const exact = table.longs.find((entry) => entry.name === written);
  if (exact) return exact;
  // An empty name (`--=x`) is a prefix of everything; GNU would call it ambiguous,
  // but "unknown" is the more honest report.
  const matches = written === '' ? [] : table.longs.filter((e) => e.name.startsWith(written));
  const rows = firstEntryPerRow(matches);
  if (rows.length === 1) return rows[0];
  if (rows.length === 0) {
    throw new GetoptError(`unknown option '${option}'`, option, longHint(written, table));
  }
  const possibilities = rows.map((entry) => `'--${entry.name}'`).join(' ');
  throw new GetoptError(`option '${option}' is ambiguous; possibilities: ${possibilities}`, option);
}

function firstEntryPerRow(entries: LongEntry[]): LongEntry[] {
  const seen = new Set<OptionSpec>();
  const firsts: LongEntry[] = [];
  for (const entry of entries) {
    if (seen.has(entry.spec)) continue;
    seen.add(entry.spec);
    firsts.push(entry);
  }
  return firsts;
}

/**
 * Suggests the nearest long name; among that row's aliases it picks the one
 * spelled most like the input, so an underscore user is shown the underscore form.
 */
function longHint(written: string, table: Table): string | undefined {
  const match = nearest(written, table.longs.map((entry) => entry.name));
  if (match === undefined) return undefined;
  const row = table.longs.find((entry) => entry.name === match)?.spec;
  const aliases = table.longs.filter((entry) => entry.spec === row).map((entry) => entry.name);
  return didYouMean(`--${closestSpelling(written, aliases)}`);
}

/** The alias with the smallest raw (case- and separator-sensitive) distance; first on ties. */
function closestSpelling(written: string, aliases: string[]): string {
  let best = aliases[0];
  for (const alias of aliases) {
    if (editDistance(written, alias) < editDistance(written, best)) best = alias;
  }
  return best;
}

/** Handles one `-abc` cluster; returns the index of the next unread word. */
function parseShort(
  word: string,
  argv: string[],
  index: number,
  table: Table,
  out: Occurrence[],
): number {
  for (let pos = 1; pos < word.length; pos++) {
    const option = `-${word[pos]}`;
    const spec = table.shorts.get(word[pos]);
    if (!spec) {
      throw new GetoptError(`unknown option '${option}'`, option, shortHint(word, pos, table));
    }
    if (spec.arg === 'none') {
      out.push({ key: spec.key, name: option });
      continue;
    }
    // A value-taking letter swallows the rest of the cluster (`-Mo` is -M o).
    const rest = word.slice(pos + 1);
    if (rest !== '') {
      out.push({ key: spec.key, name: option, value: rest });
      return index;
    }
    return takeNextWord(argv, index, spec, option, option, out);
  }
  return index;
}

/**
 * Hint for an unknown short letter, drawn from the long names and short letters.
 * A word that fails on its first letter is most likely a long option typed
 * with one dash (`-quiet`), so the whole word is matched against long names.
 * A lone letter is within distance 1 of every other letter, so among short
 * letters only a case slip (`-V` for `-v`) is worth suggesting.
 */
function shortHint(word: string, pos: number, table: Table): string | undefined {
  const letter = word[pos];
  if (pos === 1 && word.length > 2) {
    const long = longHint(word.slice(1), table);
    if (long !== undefined) return long;
  }
  const sameLetter = [...table.shorts.keys()].find(
    (short) => short !== letter && short.toLowerCase() === letter.toLowerCase(),
  );
  return sameLetter === undefined ? undefined : didYouMean(`-${sameLetter}`);
}

function didYouMean(option: string): string {
  return `did you mean '${option}'?`;
}
