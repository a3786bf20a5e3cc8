/**
 * Statistics of the interleaved benchmarks: tenantlink and the echo bot run in alternating short
 * rounds (A/B/A/B…), each pair gives one ratio, and the ratios are summarised by their median and
 * spread, so that a change of the shared machine's load during the run moves both sides of a pair
 * together instead of one whole side.
 */

/** Median and spread of a list of numbers. */
export interface Summary {
  /** Median (mean of the two middle values for an even count). */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First quartile (linear interpolation between closest ranks, as numpy's default). */
  readonly q1: number;
  /** Third quartile (same method). */
  readonly q3: number;
  /** How many values. */
  readonly n: number;
}

/**
 * The q-quantile (0–1) of sorted values, by linear interpolation between closest ranks.
 * @throws RangeError for an empty list
 */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Median, quartiles and range of `values`.
 * @throws RangeError for an empty list
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    min: quantile(sorted, 0),
    max: quantile(sorted, 1),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    n: sorted.length,
  };
}

/**
 * The per-pair ratios `b / a` of interleaved rounds (a denominator under `floor` counts as
 * `floor`, so that a 0 ms round cannot divide by zero).
 * @throws RangeError when the lists differ in length
 */
export function pairRatios(
  a: readonly number[],
  b: readonly number[],
  floor = Number.EPSILON,
): number[] {
  if (a.length !== b.length) throw new RangeError(`unpaired rounds: ${a.length} vs ${b.length}`);
  return b.map((v, i) => v / Math.max(a[i]!, floor));
}

/** A number rounded to 2 decimals. */
export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** `IQR q1–q3, range min–max (n pairs)` of a summary, 2 decimals. */
export function spreadNote(s: Summary): string {
  return `IQR ${round2(s.q1)}–${round2(s.q3)}, range ${round2(s.min)}–${round2(s.max)} (${s.n} pairs)`;
}

/**
 * The benchmarks a comma-separated selector names, by the number their rows carry or by name, in
 * the order of `names`: all of them when the selector is absent or blank (`BENCH=1,5 npm run bench`
 * runs the turn-overhead and burst benchmarks only).
 * @param names every benchmark's name, in the order they run
 * @param numbers benchmark name by row number ('1' → 'turnOverhead')
 * @throws Error when an item of the selector names no benchmark
 */
export function selectBenchmarks(
  selector: string | undefined,
  names: readonly string[],
  numbers: Readonly<Record<string, string>>,
): string[] {
  if (!selector?.trim()) return [...names];
  const wanted = new Set(
    selector.split(',').map((item) => {
      const name = numbers[item.trim()] ?? item.trim();
      if (!names.includes(name)) {
        const known = Object.entries(numbers).map(([n, b]) => `${n} ${b}`);
        throw new Error(`no benchmark ${item}: ${known.join(', ')}`);
      }
      return name;
    }),
  );
  return names.filter((name) => wanted.has(name));
}
