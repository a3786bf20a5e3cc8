import type { PlannedWrite } from '../domain/model';
import type { Translate } from './keyVaultReport';
import type { OutcomeCardData } from './render';

/**
 * What a link run on recording ports (`link dry run`, src/link/dryRun.ts) shows at its end: the
 * writes a real run would make, one numbered fact each (`1. PUT`, the path), in the order the
 * recording ports listed them, and the closing message. The dry run's texts are these and the
 * welcome note (src/bot/dryRunLink.ts); the link's dialogs show what they are given.
 */

/**
 * The plan card's data (cards/outcome.json).
 * @param t translator of the reader's locale
 * @param plan the recorded writes, in order
 */
export function plannedWritesCard(t: Translate, plan: readonly PlannedWrite[]): OutcomeCardData {
  return {
    title: t('dryRun.planTitle', { count: plan.length }),
    text: t('dryRun.planText'),
    color: 'Default',
    facts: plan.map((w, i) => ({ title: `${i + 1}. ${w.method}`, value: w.path })),
  };
}

/**
 * The message that ends a recorded link: how many writes were listed, and that nothing changed.
 * @param names the subscription's and the Office 365 directory's display names
 */
export function plannedWritesDone(
  t: Translate,
  plan: readonly PlannedWrite[],
  names: { readonly subscription: string; readonly directory: string },
): string {
  return t('dryRun.done', { ...names, count: plan.length });
}
