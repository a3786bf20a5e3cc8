import { pairRatios, spreadNote, summarize } from '../../bench/stats';

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
