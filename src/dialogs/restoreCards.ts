import {
  RESTORE_CHOICE_LIMIT,
  renderCard,
  type AdaptiveCardJson,
  type GrantAccessCardData,
} from '../cards/render';
import type { RestorePlanEntry } from '../domain/restorePlan';
import type { RestoreResult, RestoreRun } from '../link/restore';
import type { RestoreChoice } from '../link/restoreRecord';
import { plainText } from '../i18n/markdown';

/**
 * The restore's parts of the grant card (what to give back, all checked) and the card that
 * reports the restore (issue 9): one line per removed assignment (the first
 * {@link RESTORE_LIST_LIMIT}), with what happened to it, and the totals. Strings from locales/.
 */

/** Lines listed one by one; the rest is counted (the change record keeps them all). */
export const RESTORE_LIST_LIMIT = 25;

/** Formats one message (the LinkCards translator). */
type Translate = (key: string, params?: Record<string, string | number>) => string;

/** The card value of the i-th restorable assignment (short: card payloads stay small). */
export function restoreKey(i: number): string {
  return `r${i}`;
}

/**
 * The restorable assignments the admin left checked, from the grant card's `restoreIds` (the
 * {@link restoreKey}s of the checked ones, comma-separated); undefined when the card sent none
 * (a client that sent only the toggle: every one is kept).
 */
export function restoreChoiceOf(restoreIds: string | undefined): RestoreChoice | undefined {
  if (restoreIds === undefined) return undefined;
  const keys = new Set(restoreIds.split(',').filter((v) => v !== ''));
  const chosen: number[] = [];
  for (let i = 0; i < RESTORE_CHOICE_LIMIT; i++) if (keys.has(restoreKey(i))) chosen.push(i);
  return { chosen, listed: RESTORE_CHOICE_LIMIT };
}

/**
 * The grant card's restore fields: the toggle and the list of restorable assignments (the first
 * {@link RESTORE_CHOICE_LIMIT}, all checked).
 * @param roleName localized role name
 */
export function restoreChoicesData(
  t: Translate,
  restorable: readonly RestorePlanEntry[],
  roleName: (role: string) => string,
): Pick<
  GrantAccessCardData,
  | 'restoreLabel'
  | 'showRestore'
  | 'restoreChoicesLabel'
  | 'restoreChoices'
  | 'restoreChosen'
  | 'restoreMore'
> {
  const choices = restorable.slice(0, RESTORE_CHOICE_LIMIT).map((e, i) => ({
    title: t('grant.restoreChoice', {
      who: e.formerPrincipal,
      role: roleName(e.roleName),
      scope: e.scope.split('/').slice(3).join('/') || '/',
      how: e.action.kind === 'invite' ? 'invite' : 'restore',
    }),
    value: restoreKey(i),
  }));
  return {
    restoreLabel: t('grant.restore', { count: restorable.length }),
    showRestore: restorable.length > 0,
    restoreChoicesLabel: t('grant.restoreChoices'),
    restoreChoices: choices,
    restoreChosen: choices.map((c) => c.value).join(','),
    restoreMore:
      restorable.length > RESTORE_CHOICE_LIMIT
        ? t('grant.restoreMore', { count: restorable.length - RESTORE_CHOICE_LIMIT })
        : '',
  };
}

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
    title: plainText(`${r.formerPrincipal} · ${r.roleName}`),
    value: `${outcome(r)} · ${plainText(r.scope)}`,
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
