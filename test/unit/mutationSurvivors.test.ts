import {
  folderScores,
  survivorLines,
  type MutationReport,
  type ReportMutant,
} from '../../scripts/mutationSurvivors';

/**
 * The mutation report reader (scripts/mutationSurvivors.ts): per-folder scores as Stryker counts
 * them, and the mutants left to kill or to list as equivalent.
 */

const mutant = (id: string, status: string, line = 1, replacement = 'false'): ReportMutant => ({
  id,
  mutatorName: 'ConditionalExpression',
  replacement,
  status,
  location: { start: { line, column: 3 } },
});

const report: MutationReport = {
  files: {
    'src/link/move.ts': {
      source: 'a\n  if (done) return;\n',
      mutants: [mutant('1', 'Killed'), mutant('2', 'Survived', 2), mutant('3', 'Ignored')],
    },
    'src/domain/rules.ts': {
      source: 'x\n',
      mutants: [
        mutant('4', 'Killed'),
        mutant('5', 'Killed'),
        mutant('6', 'Timeout'),
        mutant('7', 'NoCoverage'),
        mutant('8', 'CompileError'),
      ],
    },
  },
};

it('scores each folder as (killed + timeout) / (killed + timeout + survived + no coverage)', () => {
  expect(folderScores(report)).toEqual([
    {
      folder: 'src/domain',
      killed: 2,
      timeout: 1,
      survived: 0,
      noCoverage: 1,
      ignored: 0,
      score: 75,
    },
    {
      folder: 'src/link',
      killed: 1,
      timeout: 0,
      survived: 1,
      noCoverage: 0,
      ignored: 1,
      score: 50,
    },
  ]);
  expect(folderScores({ files: { 'src/x/a.ts': { source: '', mutants: [] } } })[0]!.score).toBe(
    undefined,
  );
});

it('lists the surviving and uncovered mutants with their source line', () => {
  expect(survivorLines(report)).toEqual([
    'src/domain/rules.ts:1:3 NoCoverage ConditionalExpression → "false" | x',
    'src/link/move.ts:2:3 Survived ConditionalExpression → "false" | if (done) return;',
  ]);
});
