import type { AzureSubscription } from '../domain/model';
import {
  directoryChangeBlocker,
  isAboutToBeDisabled,
  type DirectoryChangeBlocker,
} from '../domain/eligibility';

/** Translates a message key with parameters (LinkCards.t). */
type Translate = (key: string, params?: Record<string, string | number>) => string;

/** The subscriptions a link may offer, and what the admin is told about the others. */
export interface ScreenedSubscriptions {
  /** Subscriptions that can change directory: the only ones the choose card offers. */
  readonly movable: AzureSubscription[];
  /** Those that cannot, with the reason (logged by id; never offered). */
  readonly blocked: { readonly subscriptionId: string; readonly reason: DirectoryChangeBlocker }[];
  /** Localized chat messages: one per blocked subscription, one per subscription about to be disabled. */
  readonly notes: string[];
}

/**
 * Splits the admin's candidate subscriptions into those that can change directory and those that
 * cannot (domain/eligibility.ts has the rules and their Microsoft sources), before anything is
 * requested or written. Each blocked subscription gets a message saying why and what to do
 * instead; a Warned or PastDue one stays on offer with a warning.
 * @param candidates owned subscriptions outside the Office 365 directory
 * @param t the flow's translator
 */
export function screenSubscriptions(
  candidates: readonly AzureSubscription[],
  t: Translate,
): ScreenedSubscriptions {
  const movable: AzureSubscription[] = [];
  const blocked: ScreenedSubscriptions['blocked'] = [];
  const notes: string[] = [];
  for (const s of candidates) {
    const reason = directoryChangeBlocker(s);
    if (reason) {
      blocked.push({ subscriptionId: s.subscriptionId, reason });
      notes.push(t(`choose.cannotMove.${reason}`, { subscription: s.displayName }));
      continue;
    }
    movable.push(s);
    if (isAboutToBeDisabled(s))
      notes.push(t('choose.aboutToBeDisabled', { subscription: s.displayName }));
  }
  return { movable, blocked, notes };
}
