import { pairRatios, selectBenchmarks, spreadNote, summarize } from '../../bench/stats';

describe('bench statistics (interleaved rounds)', () => {
  it('takes the median of an odd and of an even count', () => {
    expect(summarize([5, 1, 3]).median).toBe(3);
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
  });

  it('reports quartiles and range by linear interpolation', () => {
    expect(summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toEqual({
      median: 6,
      min: 1,
      max: 11,
      q1: 3.5,
      q3: 8.5,
      n: 11,
    });
  });

  it('is not moved by one round that a load spike slowed down', () => {
    const echo = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
    const tenantlink = [12, 12, 12, 12, 12, 12, 12, 12, 12, 50];
    expect(summarize(pairRatios(echo, tenantlink)).median).toBe(1.2);
  });

  it('divides each round by its own pair, and refuses unpaired rounds', () => {
    expect(pairRatios([10, 20, 0], [15, 20, 3], 1)).toEqual([1.5, 1, 3]);
    expect(() => pairRatios([1, 2], [1])).toThrow(RangeError);
    expect(() => summarize([])).toThrow(RangeError);
  });

  it('describes the spread', () => {
    expect(spreadNote(summarize([1, 1.2, 1.4]))).toBe('IQR 1.1–1.3, range 1–1.4 (3 pairs)');
  });
});

describe('bench selector (BENCH=1,5)', () => {
  const names = ['scale', 'turnOverhead', 'conversations'];
  const numbers = { '1': 'turnOverhead', '3': 'scale', '5': 'conversations' };

  it('runs every benchmark without a selector', () => {
    expect(selectBenchmarks(undefined, names, numbers)).toEqual(names);
    expect(selectBenchmarks(' ', names, numbers)).toEqual(names);
  });

  it('runs those named by number or name, in their usual order', () => {
    expect(selectBenchmarks('5, 1', names, numbers)).toEqual(['turnOverhead', 'conversations']);
    expect(selectBenchmarks('scale', names, numbers)).toEqual(['scale']);
  });

  it('refuses an item that names no benchmark', () => {
    expect(() => selectBenchmarks('1,7', names, numbers)).toThrow('no benchmark 7');
  });
});
