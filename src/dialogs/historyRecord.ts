import { cardInstant, renderCard, type AdaptiveCardJson } from '../cards/render';
import { recordedDecisions } from '../domain/approval';
import { toCsv } from '../domain/csv';
import { plainText } from '../i18n/markdown';
import type { ChangeRecord, ChangeStatus } from '../state/changeRecords';
import { cardDateTime } from './approvalCards';
import { checklistFacts } from './inventoryCards';

/**
 * What a link's change record says, for a person: the `history` list card, the record card
 * (cards/historyRecord.json) and the CSV rows of `history export` (src/dialogs/history.ts sends
 * them). Dates on the cards are `{{DATE()}}`/`{{TIME()}}` of Adaptive Cards ("Text features",
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features).
 */

/** A translator in a turn's locale: a message key and its parameters → the text. */
export type HistoryTranslator = (key: string, params?: Record<string, string | number>) => string;
type T = HistoryTranslator;

/** Lines of each list (removed assignments, audit trail) the record card shows; the file has all. */
export const RECORD_LINES_MAX = 25;

/** The `cardId` of the history cards' actions (they outlive any flow; `flowId` is the link's). */
export const HISTORY_CARD_ID = 'history';

/** What became of one removed assignment (the restore's report, else the plan). */
export interface AssignmentFate {
  /** `givenBack` (restored, possibly after an invitation), `notCarried`, `failed` or `removed`. */
  readonly kind: 'givenBack' | 'notCarried' | 'failed' | 'removed';
  /** The skip reason (see src/domain/restorePlan.ts) or the error code. */
  readonly reason?: string;
}

/** The fate of the removed assignment `assignmentId` in a record. */
export function fateOf(record: ChangeRecord, assignmentId: string): AssignmentFate {
  const done = record.restoreReport?.find((r) => r.assignmentId === assignmentId);
  if (done) {
    if (done.outcome === 'skipped') return { kind: 'notCarried', reason: done.reason ?? 'other' };
    if (done.outcome === 'failed') return { kind: 'failed', reason: done.errorCode ?? '' };
    return { kind: 'givenBack' };
  }
  const planned = record.restorePlan?.find((p) => p.assignmentId === assignmentId)?.action;
  if (planned?.kind === 'skip') return { kind: 'notCarried', reason: planned.reason };
  return { kind: 'removed' };
}

/**
 * The CSV of records: one row per removed role assignment (`kind` = `assignment`) and per audit
 * entry (`kind` = `audit`), under one header so that every row has the same fields (RFC 4180).
 * Column names and values are stable English words (for scripts), not localized. The directories'
 * display names are the last two columns (empty when the record did not keep them).
 */
export function historyCsv(records: readonly ChangeRecord[]): string {
  const header = [
    'flowId',
    'subscriptionId',
    'subscriptionName',
    'sourceTenantId',
    'destinationTenantId',
    'kind',
    'time',
    'principal',
    'principalId',
    'principalType',
    'role',
    'scope',
    'outcome',
    'reason',
    'by',
    'correlationId',
    // Added after the first columns (scripts reading by position keep working).
    'sourceTenantName',
    'destinationTenantName',
  ];
  const rows: string[][] = [header];
  for (const r of records) {
    const base = [
      r.flowId,
      r.subscriptionId,
      r.subscriptionName,
      r.sourceTenantId,
      r.destinationTenantId,
    ];
    // Empty for records stored before the names were kept.
    const names = [r.sourceTenantName ?? '', r.destinationTenantName ?? ''];
    for (const a of r.backup) {
      const fate = fateOf(r, a.id);
      rows.push([
        ...base,
        'assignment',
        r.createdAt,
        a.principalName,
        a.principalId,
        a.principalType,
        a.roleName,
        a.scope,
        fate.kind,
        fate.reason ?? '',
        r.initiatorName,
        '',
        ...names,
      ]);
    }
    for (const e of r.audit)
      rows.push([
        ...base,
        'audit',
        e.at,
        e.target,
        '',
        '',
        e.action,
        '',
        e.outcome,
        e.code ?? '',
        e.by,
        e.correlationId ?? '',
        ...names,
      ]);
  }
  return toCsv(rows);
}

/** The card's color for a status. */
function colorOf(status: ChangeStatus): 'Default' | 'Good' | 'Attention' | 'Warning' {
  if (status === 'notified' || status === 'accessGranted') return 'Good';
  if (status === 'failed' || status === 'blocked') return 'Attention';
  if (status === 'cancelled') return 'Warning';
  return 'Default';
}

/** The list card (cards/historyList.json). */
export function historyListCard(t: T, records: readonly ChangeRecord[]): AdaptiveCardJson {
  return renderCard('historyList', {
    title: t('history.title', { count: records.length }),
    text: t('history.text'),
    rows: records.map((r) => ({
      flowId: r.flowId,
      cardId: HISTORY_CARD_ID,
      subscription: plainText(r.subscriptionName),
      at: cardInstant(r.createdAt),
      line: t('history.row', {
        status: t(`history.status.${r.status}`),
        name: plainText(r.initiatorName),
      }),
      openLabel: t('history.openLabel'),
    })),
  });
}

/** A scope for people: `subscription` for the subscription itself, else the path below it. */
function scopeText(t: T, scope: string): string {
  const below = scope.replace(/^\/subscriptions\/[^/]+/i, '');
  return below === '' || below === '/' ? t('history.scope.subscription') : plainText(below);
}

/**
 * A directory for people: `Name (tenant id)` when the record kept its display name, else the
 * tenant id alone (records stored before the names were kept).
 */
export function directoryText(tenantId: string, name: string | undefined): string {
  return name ? `${plainText(name)} (${tenantId})` : tenantId;
}

/** The record card of one link (cards/historyRecord.json). */
export function historyRecordCard(t: T, r: ChangeRecord): AdaptiveCardJson {
  const assignments = r.backup.map((a) => {
    const fate = fateOf(r, a.id);
    const reason =
      fate.kind === 'notCarried'
        ? t(`history.reason.${fate.reason ?? 'other'}`)
        : (fate.reason ?? '');
    return t('history.record.assignment', {
      principal: plainText(a.principalName),
      role: plainText(a.roleName),
      scope: scopeText(t, a.scope),
      fate: t(`history.fate.${fate.kind}`, { reason }),
    });
  });
  const facts = r.inventory ? checklistFacts(t, r.inventory) : [];
  const checklist = r.inventory
    ? facts.length > 0
      ? facts.map((f) => `${f.title} ${f.value}`)
      : [t('history.record.checklistNone')]
    : [t('history.record.inventoryUnread', { code: r.inventoryError ?? '—' })];
  const audit = r.audit.slice(-RECORD_LINES_MAX).map((e) => ({
    at: cardInstant(e.at),
    line: [
      plainText(e.action),
      plainText(e.target),
      t(`history.outcome.${e.outcome}`),
      ...(e.code ? [e.code] : []),
      ...(e.correlationId ? [e.correlationId] : []),
    ].join(' · '),
  }));
  const more = (count: number): string => (count > 0 ? t('history.record.more', { count }) : '');
  return renderCard('historyRecord', {
    flowId: r.flowId,
    cardId: HISTORY_CARD_ID,
    title: t('history.record.title', {
      subscription: plainText(r.subscriptionName),
      status: t(`history.status.${r.status}`),
    }),
    color: colorOf(r.status),
    startedLabel: t('history.record.started', { name: plainText(r.initiatorName) }),
    createdAt: cardInstant(r.createdAt),
    updatedLabel: t('history.record.updated'),
    updatedAt: cardInstant(r.updatedAt),
    facts: [
      {
        title: t('history.record.subscription'),
        value: plainText(`${r.subscriptionName} (${r.subscriptionId})`),
      },
      {
        title: t('history.record.from'),
        value: directoryText(r.sourceTenantId, r.sourceTenantName),
      },
      {
        title: t('history.record.to'),
        value: directoryText(r.destinationTenantId, r.destinationTenantName),
      },
      { title: t('history.record.status'), value: t(`history.status.${r.status}`) },
    ],
    assignmentsTitle: t('history.record.assignments', { count: r.backup.length }),
    assignments: assignments.slice(0, RECORD_LINES_MAX),
    assignmentsMore: more(assignments.length - RECORD_LINES_MAX),
    checklistTitle: t('history.record.checklist'),
    checklist,
    // Under an approval policy: who approved or rejected, and when (each reader's format).
    approvalsTitle: t('history.record.approvals'),
    approvals: recordedDecisions(r.audit).map((d) => ({
      line:
        d.decision === 'approve'
          ? t('approval.approvedBy', {
              name: plainText(d.name),
              when: cardDateTime(Date.parse(d.at)),
            })
          : t('notice.rejectedBy', {
              name: plainText(d.name),
              when: cardDateTime(Date.parse(d.at)),
            }),
    })),
    auditTitle: t('history.record.audit', { count: r.audit.length }),
    audit,
    auditMore: more(r.audit.length - RECORD_LINES_MAX),
    exportLabel: t('history.export.label'),
  });
}
