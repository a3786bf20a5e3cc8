import { renderCard, type AdaptiveCardJson } from '../cards/render';
import type { RestoreResult, RestoreRun } from '../link/restore';

/**
 * The card that reports the restore (issue 9): one line per removed assignment (the first
 * {@link RESTORE_LIST_LIMIT}), with what happened to it, and the totals. Strings from locales/.
 */

/** Lines listed one by one; the rest is counted (the change record keeps them all). */
export const RESTORE_LIST_LIMIT = 25;

/** Formats one message (the LinkCards translator). */
type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Renders the restore report. */
export function restoreReportCard(t: Translate, run: RestoreRun): AdaptiveCardJson {
  const results = run.assignments;
  const roles = run.customRoles.map((r) =>
    r.outcome === 'failed'
      ? `${r.roleName} (${t('restore.outcome.failed', { code: r.errorCode ?? '' })})`
      : r.roleName,
  );
  const count = (o: RestoreResult['outcome']): number =>
    results.filter((r) => r.outcome === o).length;
  const failed = count('failed') + run.customRoles.filter((r) => r.outcome === 'failed').length;
  const outcome = (r: RestoreResult): string =>
    r.outcome === 'skipped'
      ? t('restore.outcome.skipped', { reason: t(`restore.reason.${r.reason ?? 'other'}`) })
      : r.outcome === 'failed'
        ? t('restore.outcome.failed', { code: r.errorCode ?? '' })
        : t(`restore.outcome.${r.outcome}`);
  const facts = results.slice(0, RESTORE_LIST_LIMIT).map((r) => ({
    title: `${r.formerPrincipal} · ${r.roleName}`,
    value: `${outcome(r)} · ${r.scope}`,
  }));
  const more = results.length - RESTORE_LIST_LIMIT;
  return renderCard('outcome', {
    title: t('restore.title'),
    text: [
      t('restore.summary', {
        restored: count('restored'),
        invited: count('invitedRestored'),
        existing: count('existing'),
        skipped: count('skipped'),
        failed,
      }),
      ...(roles.length > 0 ? [t('restore.customRoles', { names: roles.join(', ') })] : []),
      ...(more > 0 ? [t('restore.more', { count: more })] : []),
    ].join('\n\n'),
    color: failed > 0 ? 'Warning' : 'Good',
    facts,
  });
}
