// Unit tests for src/config/getopt.ts: GNU getopt_long semantics, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getopt, GetoptError } from '../../dist/config/getopt.js';

// A slice of an nsjail-like option table, chosen so prefixes collide in useful ways.
const OPTIONS = [
  { long: ['time_limit', 'time-limit'], short: ['t'], arg: 'required', key: 'time_limit' },
  { long: ['verbose'], short: ['v'], arg: 'none', key: 'verbose' },
  { long: ['quiet'], short: ['q'], arg: 'none', key: 'quiet' },
  { long: ['mode'], short: ['M'], arg: 'required', key: 'mode' },
  { long: ['disable_clone_newnet'], short: ['N'], arg: 'none', key: 'disable_clone_newnet' },
  { long: ['chroot'], short: ['c'], arg: 'required', key: 'chroot' },
  { long: ['log'], short: ['l'], arg: 'required', key: 'log' },
  { long: ['log_fd'], short: ['L'], arg: 'required', key: 'log_fd' },
  { long: ['rlimit_as'], arg: 'required', key: 'rlimit_as' },
  { long: ['rlimit_cpu'], arg: 'required', key: 'rlimit_cpu' },
  { long: ['keep_env'], short: ['e'], arg: 'none', key: 'keep_env' },
  { long: ['keep_caps'], arg: 'none', key: 'keep_caps' },
  { long: ['silent'], arg: 'none', key: 'silent' },
];

/** Shorthand for an expected occurrence. */
const occ = (key, name, value) => (value === undefined ? { key, name } : { key, name, value });

const parseCases = [
  // --- basics
  { argv: [], occurrences: [], operands: [] },
  { argv: ['--verbose'], occurrences: [occ('verbose', '--verbose')], operands: [] },
  { argv: ['-v'], occurrences: [occ('verbose', '-v')], operands: [] },

  // --- `--` ends options
  { argv: ['--', '-v', '--quiet'], occurrences: [], operands: ['-v', '--quiet'] },
  { argv: ['-v', '--', '--', 'x'], occurrences: [occ('verbose', '-v')], operands: ['--', 'x'], why: 'only the first -- is eaten' },
  { argv: ['a', '--', '-q'], occurrences: [], operands: ['a', '-q'] },
  { argv: ['--'], occurrences: [], operands: [] },

  // --- long values
  { argv: ['--time_limit=10'], occurrences: [occ('time_limit', '--time_limit', '10')], operands: [] },
  { argv: ['--time_limit', '10'], occurrences: [occ('time_limit', '--time_limit', '10')], operands: [] },
  { argv: ['--time-limit', '10'], occurrences: [occ('time_limit', '--time-limit', '10')], operands: [], why: 'alias' },
  { argv: ['--chroot=/a=b'], occurrences: [occ('chroot', '--chroot', '/a=b')], operands: [], why: 'split at first =' },
  { argv: ['--chroot='], occurrences: [occ('chroot', '--chroot', '')], operands: [], why: 'empty inline value' },
  { argv: ['--chroot', ''], occurrences: [occ('chroot', '--chroot', '')], operands: [], why: 'empty separate value' },
  { argv: ['--chroot', '--verbose'], occurrences: [occ('chroot', '--chroot', '--verbose')], operands: [], why: 'separate value taken verbatim' },
  { argv: ['--chroot', '--'], occurrences: [occ('chroot', '--chroot', '--')], operands: [] },

  // --- abbreviations
  { argv: ['--verb'], occurrences: [occ('verbose', '--verb')], operands: [] },
  { argv: ['--v'], occurrences: [occ('verbose', '--v')], operands: [] },
  { argv: ['--time', '5'], occurrences: [occ('time_limit', '--time', '5')], operands: [], why: 'prefix of both aliases of one row' },
  { argv: ['--time=5'], occurrences: [occ('time_limit', '--time', '5')], operands: [] },
  { argv: ['--time-', '5'], occurrences: [occ('time_limit', '--time-', '5')], operands: [], why: 'prefix of one alias only' },
  { argv: ['--log', 'x'], occurrences: [occ('log', '--log', 'x')], operands: [], why: 'exact match beats longer log_fd' },
  { argv: ['--log_', '3'], occurrences: [occ('log_fd', '--log_', '3')], operands: [] },
  { argv: ['--rlimit_c', '9'], occurrences: [occ('rlimit_cpu', '--rlimit_c', '9')], operands: [] },
  { argv: ['--keep_e'], occurrences: [occ('keep_env', '--keep_e')], operands: [] },
  { argv: ['--si'], occurrences: [occ('silent', '--si')], operands: [] },

  // --- short options
  { argv: ['-Nv'], occurrences: [occ('disable_clone_newnet', '-N'), occ('verbose', '-v')], operands: [] },
  { argv: ['-vqN'], occurrences: [occ('verbose', '-v'), occ('quiet', '-q'), occ('disable_clone_newnet', '-N')], operands: [] },
  { argv: ['-t10'], occurrences: [occ('time_limit', '-t', '10')], operands: [] },
  { argv: ['-t', '10'], occurrences: [occ('time_limit', '-t', '10')], operands: [] },
  { argv: ['-Mo'], occurrences: [occ('mode', '-M', 'o')], operands: [] },
  { argv: ['-vMo'], occurrences: [occ('verbose', '-v'), occ('mode', '-M', 'o')], operands: [] },
  { argv: ['-vM', 'o'], occurrences: [occ('verbose', '-v'), occ('mode', '-M', 'o')], operands: [], why: 'cluster ends in value option: next word' },
  { argv: ['-Mov'], occurrences: [occ('mode', '-M', 'ov')], operands: [], why: 'value swallows the rest of the cluster' },
  { argv: ['-t=5'], occurrences: [occ('time_limit', '-t', '=5')], operands: [], why: 'no = syntax for shorts' },
  { argv: ['-t', '-5'], occurrences: [occ('time_limit', '-t', '-5')], operands: [], why: 'value may start with -' },
  { argv: ['-t', '--'], occurrences: [occ('time_limit', '-t', '--')], operands: [] },
  { argv: ['-c', '-'], occurrences: [occ('chroot', '-c', '-')], operands: [] },
  { argv: ['-vv'], occurrences: [occ('verbose', '-v'), occ('verbose', '-v')], operands: [], why: 'repeats are kept' },

  // --- lone dash
  { argv: ['-'], occurrences: [], operands: ['-'] },
  { argv: ['-v', '-', '-q'], occurrences: [occ('verbose', '-v'), occ('quiet', '-q')], operands: ['-'] },

  // --- permutation (default)
  { argv: ['a', '-v', 'b'], occurrences: [occ('verbose', '-v')], operands: ['a', 'b'] },
  {
    argv: ['/bin/sh', '-t', '5', '-c', '/', 'x', '--quiet'],
    occurrences: [occ('time_limit', '-t', '5'), occ('chroot', '-c', '/'), occ('quiet', '--quiet')],
    operands: ['/bin/sh', 'x'],
  },
  { argv: ['a', '-', 'b', '--', '-v'], occurrences: [], operands: ['a', '-', 'b', '-v'] },
  {
    argv: ['--verbose', 'a', '--time', '3', 'b'],
    occurrences: [occ('verbose', '--verbose'), occ('time_limit', '--time', '3')],
    operands: ['a', 'b'],
  },

  // --- stopAtFirstOperand
  { argv: ['a', '-v', 'b'], stop: true, occurrences: [], operands: ['a', '-v', 'b'] },
  { argv: ['-v', 'a', '-q'], stop: true, occurrences: [occ('verbose', '-v')], operands: ['a', '-q'] },
  { argv: ['-t', '5', '/bin/sh', '-c', 'echo'], stop: true, occurrences: [occ('time_limit', '-t', '5')], operands: ['/bin/sh', '-c', 'echo'], why: 'separate value is not an operand' },
  { argv: ['-v', '--', '-q'], stop: true, occurrences: [occ('verbose', '-v')], operands: ['-q'] },
  { argv: ['a', '--', 'b'], stop: true, occurrences: [], operands: ['a', '--', 'b'], why: '-- after the first operand is an operand' },
  { argv: ['-', '-v'], stop: true, occurrences: [], operands: ['-', '-v'], why: 'lone dash is an operand and stops' },
  { argv: ['-v'], stop: false, occurrences: [occ('verbose', '-v')], operands: [], why: 'explicit false' },
];

for (const { argv, stop, occurrences, operands, why } of parseCases) {
  const label = `getopt ${JSON.stringify(argv)}${stop ? ' (stopAtFirstOperand)' : ''}${why ? ` - ${why}` : ''}`;
  test(label, { timeout: 10000 }, () => {
    const result = stop === undefined ? getopt(argv, OPTIONS) : getopt(argv, OPTIONS, { stopAtFirstOperand: stop });
    assert.deepEqual(result, { occurrences, operands });
  });
}

const errorCases = [
  // --- flags given a value
  { argv: ['--verbose=1'], message: "option '--verbose' doesn't allow an argument", option: '--verbose' },
  { argv: ['--verbose='], message: "option '--verbose' doesn't allow an argument", option: '--verbose' },
  { argv: ['--verb=1'], message: "option '--verbose' doesn't allow an argument", option: '--verb', why: 'message names the resolved option' },

  // --- missing required values
  { argv: ['--time_limit'], message: "option '--time_limit' requires an argument", option: '--time_limit' },
  { argv: ['--time-limit'], message: "option '--time-limit' requires an argument", option: '--time-limit' },
  { argv: ['--time'], message: "option '--time_limit' requires an argument", option: '--time', why: 'abbreviation resolved in message' },
  { argv: ['-v', '-t'], message: "option '-t' requires an argument", option: '-t' },
  { argv: ['-vM'], message: "option '-M' requires an argument", option: '-M' },
  { argv: ['a', '--chroot'], message: "option '--chroot' requires an argument", option: '--chroot' },

  // --- ambiguous prefixes
  { argv: ['--rlimit', '1'], message: "option '--rlimit' is ambiguous; possibilities: '--rlimit_as' '--rlimit_cpu'", option: '--rlimit' },
  { argv: ['--lo', 'x'], message: "option '--lo' is ambiguous; possibilities: '--log' '--log_fd'", option: '--lo' },
  { argv: ['--keep=1'], message: "option '--keep' is ambiguous; possibilities: '--keep_env' '--keep_caps'", option: '--keep' },

  // --- unknown long options, with hints
  { argv: ['--tim_limit', '5'], message: "unknown option '--tim_limit'", option: '--tim_limit', hint: "did you mean '--time_limit'?" },
  { argv: ['--tim-limit', '5'], message: "unknown option '--tim-limit'", option: '--tim-limit', hint: "did you mean '--time-limit'?", why: 'hint keeps the user\'s separator' },
  { argv: ['--Verbose'], message: "unknown option '--Verbose'", option: '--Verbose', hint: "did you mean '--verbose'?", why: 'long names are case-sensitive' },
  { argv: ['--chroto=/'], message: "unknown option '--chroto'", option: '--chroto', hint: "did you mean '--chroot'?" },
  { argv: ['--rlimit_ass'], message: "unknown option '--rlimit_ass'", option: '--rlimit_ass', hint: "did you mean '--rlimit_as'?" },
  { argv: ['--xyzzy'], message: "unknown option '--xyzzy'", option: '--xyzzy', hint: undefined },
  { argv: ['--=x'], message: "unknown option '--'", option: '--', hint: undefined, why: 'empty name' },
  { argv: ['a', '--nope'], message: "unknown option '--nope'", option: '--nope', hint: undefined, why: 'after an operand while permuting' },

  // --- unknown short options, with hints
  { argv: ['-x'], message: "unknown option '-x'", option: '-x', hint: undefined },
  { argv: ['-vx'], message: "unknown option '-x'", option: '-x', hint: undefined, why: 'inside a cluster' },
  { argv: ['-V'], message: "unknown option '-V'", option: '-V', hint: "did you mean '-v'?" },
  { argv: ['-n'], message: "unknown option '-n'", option: '-n', hint: "did you mean '-N'?" },
  { argv: ['-silent'], message: "unknown option '-s'", option: '-s', hint: "did you mean '--silent'?", why: 'long option typed with one dash' },
  { argv: ['-rlimit_as', '1'], message: "unknown option '-r'", option: '-r', hint: "did you mean '--rlimit_as'?" },
  { argv: ['-zzz'], message: "unknown option '-z'", option: '-z', hint: undefined, why: 'too far from any long name' },
  { argv: ['-ztime_limit'], message: "unknown option '-z'", option: '-z', hint: "did you mean '--time_limit'?", why: 'one stray letter' },
];

for (const { argv, message, option, hint, why } of errorCases) {
  test(`getopt error ${JSON.stringify(argv)} -> ${message}${why ? ` - ${why}` : ''}`, { timeout: 10000 }, () => {
    assert.throws(
      () => getopt(argv, OPTIONS),
      (err) => {
        assert.ok(err instanceof GetoptError);
        assert.ok(err instanceof Error);
        assert.equal(err.name, 'GetoptError');
        assert.equal(err.code, 'EINVALIDOPTION');
        assert.equal(err.message, message);
        assert.equal(err.option, option);
        assert.equal(err.hint, hint);
        return true;
      },
    );
  });
}

test('stopAtFirstOperand leaves bad-looking words after the first operand alone', { timeout: 10000 }, () => {
  const result = getopt(['cmd', '--nope', '-x'], OPTIONS, { stopAtFirstOperand: true });
  assert.deepEqual(result, { occurrences: [], operands: ['cmd', '--nope', '-x'] });
});

test('a prefix of one row is unique even when that row has several aliases', { timeout: 10000 }, () => {
  // '--t' matches time_limit and time-limit (one row) and nothing else in this table.
  const result = getopt(['--t', '1'], OPTIONS);
  assert.deepEqual(result.occurrences, [occ('time_limit', '--t', '1')]);
});

test('getopt does not mutate argv or the option table', { timeout: 10000 }, () => {
  const argv = ['a', '-vt5', '--', 'b'];
  const argvCopy = [...argv];
  const tableCopy = structuredClone(OPTIONS);
  getopt(argv, OPTIONS);
  assert.deepEqual(argv, argvCopy);
  assert.deepEqual(OPTIONS, tableCopy);
});

test('GetoptError can be constructed directly', { timeout: 10000 }, () => {
  const err = new GetoptError('boom', '--x', 'did you mean --y?');
  assert.equal(err.code, 'EINVALIDOPTION');
  assert.equal(err.option, '--x');
  assert.equal(err.hint, 'did you mean --y?');
  assert.equal(new GetoptError('boom', '-x').hint, undefined);
});
