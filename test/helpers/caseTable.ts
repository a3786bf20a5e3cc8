/**
 * The hostile-world suites print what they tried as a table: case, expected, observed (issue 8).
 * A suite records rows while its tests run and prints them once, after all of them.
 */
export class CaseTable {
  private readonly rows: [string, string, string][] = [];

  constructor(private readonly title: string) {
    afterAll(() => this.print());
  }

  /** Records one case; returns `observed` so a test can assert on it in the same line. */
  record<T>(name: string, expected: string, observed: T): T {
    this.rows.push([name, expected, String(observed)]);
    return observed;
  }

  private print(): void {
    if (this.rows.length === 0) return;
    const header: [string, string, string] = ['case', 'expected', 'observed'];
    const all = [header, ...this.rows];
    const width = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i]!.length)));
    const line = (r: [string, string, string]): string =>
      `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
    const rule = `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`;
    process.stdout.write(
      `\n${this.title}\n${[line(header), rule, ...this.rows.map(line)].join('\n')}\n`,
    );
  }
}
