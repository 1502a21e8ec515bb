/**
 * "Did you mean ...?" support: an edit distance and a nearest-candidate picker,
 * used to turn a mistyped option or name into a helpful hint.
 */

/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  // Only three rows are live at a time: the transposition step looks two rows back.
  let twoBack: number[] = [];
  let previous: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = cellCost(a, b, i, j, current, previous, twoBack);
    }
    twoBack = previous;
    previous = current;
  }
  return previous[b.length];
}

/** One cell of the OSA matrix: delete, insert, substitute, or swap two neighbours. */
function cellCost(
  a: string,
  b: string,
  i: number,
  j: number,
  current: number[],
  previous: number[],
  twoBack: number[],
): number {
  const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
  let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution);
  const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
  if (swapped) best = Math.min(best, twoBack[j - 2] + 1);
  return best;
}

/**
 * Users mix up case and the two word separators freely (--time_limit vs
 * --Time-Limit), so neither should count against a candidate.
 */
function normalize(s: string): string {
  return s.toLowerCase().replace(/_/g, '-');
}

/**
 * The candidate nearest to `input`, or undefined when nothing is close enough
 * (distance <= max(1, floor(input.length / 3)); ties -> first in candidate order).
 * Comparison ignores case and treats '-' and '_' as the same character.
 */
export function nearest(input: string, candidates: Iterable<string>): string | undefined {
  // The allowance grows with length so long names tolerate a couple of slips
  // while short ones don't match unrelated words.
  const limit = Math.max(1, Math.floor(input.length / 3));
  const wanted = normalize(input);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalize(candidate));
    // Strictly-less keeps the first candidate on ties.
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
