/**
 * argv -> CliOptions for `brig run`, through the option table and getopt.
 */
import { BrigError, invalidOption } from '../errors.js';
import { getopt, GetoptError, type OptionSpec } from '../config/getopt.js';
import { applyRow, longNames, OPTIONS, type CliOptions, type OptionRow } from '../config/table.js';

let specs: OptionSpec[] | undefined;
const byKey = new Map<string, OptionRow>();

function optionSpecs(): OptionSpec[] {
  specs ??= OPTIONS.map((row) => {
    byKey.set(row.name, row);
    return { long: longNames(row), short: row.short ? [row.short] : [], arg: row.arg ? 'required' : 'none', key: row.name };
  });
  return specs;
}

export interface ParsedRun {
  options: CliOptions;
  help: boolean;
}

/** Parse the words after `brig run`. Options end at `--` or at the first operand. */
export function parseRunArgs(argv: string[]): ParsedRun {
  const table = [...optionSpecs(), { long: ['help'], short: ['h'], arg: 'none' as const, key: '--help' }];
  let parsed;
  try {
    parsed = getopt(argv, table, { stopAtFirstOperand: true });
  } catch (e) {
    if (e instanceof GetoptError) throw invalidOption(e.option, e.message, e.hint);
    throw e;
  }
  const options: CliOptions = { command: parsed.operands };
  let help = false;
  for (const occ of parsed.occurrences) {
    if (occ.key === '--help') {
      help = true;
      continue;
    }
    applyRow(byKey.get(occ.key)!, options, occ.value, occ.name);
  }
  if (!help && options.command.length === 0) {
    throw new BrigError('EINVALIDOPTION', 'no command given', { stage: 'validate', option: 'command', hint: "usage: brig run [options] -- COMMAND [ARGS...]" });
  }
  return { options, help };
}
