// Unit tests for src/util/suggest.ts: OSA edit distance and nearest-candidate hints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, nearest } from '../../dist/util/suggest.js';

const distanceCases = [
  { a: '', b: '', want: 0 },
  { a: 'abc', b: '', want: 3 },
  { a: '', b: 'abc', want: 3 },
  { a: 'abc', b: 'abc', want: 0 },
  { a: 'abc', b: 'abd', want: 1, why: 'substitution' },
  { a: 'abc', b: 'abcd', want: 1, why: 'insertion' },
  { a: 'abcd', b: 'acd', want: 1, why: 'deletion' },
  { a: 'ab', b: 'ba', want: 1, why: 'adjacent transposition counts once' },
  { a: 'time_limit', b: 'tiem_limit', want: 1, why: 'transposition inside a word' },
  { a: 'kitten', b: 'sitting', want: 3 },
  { a: 'ca', b: 'abc', want: 3, why: 'OSA, not unrestricted Damerau (which gives 2)' },
  { a: 'Abc', b: 'abc', want: 1, why: 'editDistance itself is case-sensitive' },
  { a: 'a-b', b: 'a_b', want: 1, why: 'editDistance itself does not fold separators' },
];

for (const { a, b, want, why } of distanceCases) {
  test(`editDistance(${JSON.stringify(a)}, ${JSON.stringify(b)}) = ${want}${why ? ` (${why})` : ''}`, { timeout: 10000 }, () => {
    assert.equal(editDistance(a, b), want);
    assert.equal(editDistance(b, a), want, 'distance is symmetric');
  });
}

const names = ['time-limit', 'time_limit', 'rlimit_as', 'chroot', 'cwd', 'quiet', 'verbose'];

const nearestCases = [
  { input: 'time_limit', candidates: names, want: 'time-limit', why: "'_' == '-' so tie, first wins" },
  { input: 'tim_limit', candidates: names, want: 'time-limit', why: 'one deletion, tie -> first' },
  { input: 'tim_limit', candidates: ['time_limit', 'time-limit'], want: 'time_limit', why: 'tie -> first in order' },
  { input: 'TIME-LIMIT', candidates: names, want: 'time-limit', why: 'case ignored' },
  { input: 'choort', candidates: names, want: 'chroot', why: 'transposition' },
  { input: 'qiuet', candidates: names, want: 'quiet' },
  { input: 'verbse', candidates: names, want: 'verbose' },
  { input: 'cdw', candidates: names, want: 'cwd', why: 'len 3 -> limit 1, transposition is 1' },
  { input: 'cxx', candidates: names, want: undefined, why: 'len 3 -> limit 1, distance 2' },
  { input: 'tmie_lmiit', candidates: names, want: 'time-limit', why: 'len 10 -> limit 3, two transpositions' },
  { input: 'abcdefghi', candidates: ['abcdefxyz'], want: 'abcdefxyz', why: 'len 9 -> limit 3, distance 3 is allowed' },
  { input: 'abcdefghi', candidates: ['abcdewxyz'], want: undefined, why: 'len 9 -> limit 3, distance 4 is not' },
  { input: 'xyzzy', candidates: names, want: undefined },
  { input: 'rlimit', candidates: ['rlimit_as', 'rlimit_cpu'], want: undefined, why: 'len 6 -> limit 2, distance 3' },
  { input: 'v', candidates: ['x', 'v'], want: 'v', why: 'exact beats earlier distance-1 candidate' },
  { input: 'v', candidates: ['x', 'y'], want: 'x', why: 'len 1 -> limit max(1,0) = 1' },
  { input: 'ab', candidates: ['abcd'], want: undefined, why: 'len 2 -> limit 1, distance 2' },
  { input: 'abcdef', candidates: ['abcdxy', 'abcdex'], want: 'abcdex', why: 'nearer wins over earlier' },
  { input: 'abc', candidates: [], want: undefined },
  { input: 'quiet', candidates: new Set(['quite', 'quiet']), want: 'quiet', why: 'any iterable' },
  {
    input: 'chrot',
    candidates: (function* gen() { yield 'cwd'; yield 'chroot'; })(),
    want: 'chroot',
    why: 'generator',
  },
];

for (const { input, candidates, want, why } of nearestCases) {
  test(`nearest(${JSON.stringify(input)}) -> ${JSON.stringify(want)}${why ? ` (${why})` : ''}`, { timeout: 10000 }, () => {
    assert.equal(nearest(input, candidates), want);
  });
}
