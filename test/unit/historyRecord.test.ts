import { join } from 'node:path';
import { directoryText, historyCsv, historyRecordCard } from '../../src/dialogs/historyRecord';
import { Localizer } from '../../src/i18n';
import type { ChangeRecord } from '../../src/state/changeRecords';

/**
 * The directories of a link's record (issue 29, "from and to which directory"): by name with the
 * tenant id when the record kept the names, by tenant id alone in records stored before.
 */

const localizer = new Localizer(join(__dirname, '..', '..', 'locales'));
const t = (key: string, params?: Record<string, string | number>): string =>
  localizer.t('en-US', key, params);
const OLD = '0b6a8f4e-1111-4c2d-9e3f-000000000001';
const NEW = '0b6a8f4e-2222-4c2d-9e3f-000000000002';
const AT = '2026-12-04T10:00:00.000Z';

/** A finished link with one removed assignment and one audited write. */
function record(names: Partial<ChangeRecord> = {}): ChangeRecord {
  return {
    flowId: 'flow-1',
    initiatorId: 'kelley',
    initiatorName: 'Kelley Wall',
    subscriptionId: 'sub-1',
    subscriptionName: 'Pay-As-You-Go',
    sourceTenantId: OLD,
    destinationTenantId: NEW,
    ...names,
    status: 'notified',
    backup: [
      {
        id: '/subscriptions/sub-1/providers/Microsoft.Authorization/roleAssignments/a1',
        name: 'a1',
        scope: '/subscriptions/sub-1',
        principalId: 'p1',
        principalType: 'User',
        principalName: 'sam@outlook.example',
        roleDefinitionId: 'r1',
        roleName: 'Reader',
      },
    ],
    audit: [
      { at: AT, by: 'kelley', action: 'changeTenantRequest', target: 'sub-1', outcome: 'ok' },
    ],
    createdAt: AT,
    updatedAt: AT,
  };
}

/** The record card's facts, value by title. */
function facts(r: ChangeRecord): Record<string, string> {
  const card = historyRecordCard(t, r) as { body: { type: string; facts?: unknown }[] };
  const set = card.body.find((b) => b.type === 'FactSet')!.facts as {
    title: string;
    value: string;
  }[];
  return Object.fromEntries(set.map((f) => [f.title, f.value]));
}

describe('directoryText', () => {
  it('names the directory with its tenant id, or gives the id alone', () => {
    expect(directoryText(OLD, 'Fabrikam')).toBe(`Fabrikam (${OLD})`);
    expect(directoryText(OLD, undefined)).toBe(OLD);
    expect(directoryText(OLD, '')).toBe(OLD);
  });

  it('keeps a hostile name from becoming Markdown', () => {
    expect(directoryText(OLD, '# *Big*')).toBe(`\\# \\*Big\\* (${OLD})`);
  });
});

describe("the record card's directories", () => {
  it('shows "Name (tenant id)" when the record kept the names', () => {
    const f = facts(record({ sourceTenantName: 'Fabrikam', destinationTenantName: 'Contoso' }));
    expect(f['From directory']).toBe(`Fabrikam (${OLD})`);
    expect(f['To directory']).toBe(`Contoso (${NEW})`);
  });

  it('shows the tenant ids alone in a record stored before the names were kept', () => {
    const f = facts(record());
    expect(f['From directory']).toBe(OLD);
    expect(f['To directory']).toBe(NEW);
  });
});

describe("the CSV's directory names", () => {
  const rowsOf = (csv: string): string[][] =>
    csv
      .split('\r\n')
      .filter((l) => l !== '')
      .map((l) => l.split(','));

  it('come last, after the columns of before, on every row', () => {
    const rows = rowsOf(
      historyCsv([record({ sourceTenantName: 'Fabrikam', destinationTenantName: 'Contoso' })]),
    );
    expect(rows[0]!.slice(0, 5)).toEqual([
      'flowId',
      'subscriptionId',
      'subscriptionName',
      'sourceTenantId',
      'destinationTenantId',
    ]);
    expect(rows[0]!.slice(-3)).toEqual([
      'correlationId',
      'sourceTenantName',
      'destinationTenantName',
    ]);
    expect(rows.slice(1).map((r) => r[5])).toEqual(['assignment', 'audit']);
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(rows[0]!.length);
      expect(row.slice(-2)).toEqual(['Fabrikam', 'Contoso']);
    }
  });

  it('are empty for a record without them, and a formula-like name is written as text', () => {
    const rows = rowsOf(historyCsv([record()]));
    for (const row of rows.slice(1)) expect(row.slice(-2)).toEqual(['', '']);
    const hostile = historyCsv([record({ sourceTenantName: '=HYPERLINK(1)' })]);
    expect(rowsOf(hostile)[1]!.slice(-2)).toEqual(["'=HYPERLINK(1)", '']);
  });
});
