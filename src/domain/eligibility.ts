import type { AzureSubscription } from './model';

/**
 * Whether a subscription can change directory at all, decided from what ARM's Subscriptions_Get /
 * Subscriptions_List return (`state`, `subscriptionPolicies.quotaId`; Microsoft.Resources
 * 2022-12-01 `Subscription`), before anything is signed, requested or written.
 *
 * Sources:
 * - "Transfer an Azure subscription to a different Microsoft Entra directory"
 *   (https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription): "For Azure
 *   Cloud Solution Providers (CSP) subscriptions, changing the Microsoft Entra directory for the
 *   subscription isn't supported."
 * - "Associate or add an Azure subscription to your Microsoft Entra tenant"
 *   (https://learn.microsoft.com/entra/fundamentals/how-subscriptions-associated-directory),
 *   prerequisites: not a CSP subscription (MS-AZR-0145P, MS-AZR-0146P, MS-AZR-159P), a Microsoft
 *   Internal subscription (MS-AZR-0015P) or Azure for Students Starter (MS-AZR-0144P).
 * - Offer → quota id, "Understand Cost Management data"
 *   (https://learn.microsoft.com/azure/cost-management-billing/costs/understand-cost-mgt-data):
 *   CSP and partner-supported Azure plans are `CSP_2015-05-01`, `CSP_MG_2017-12-01`,
 *   `CSPDEVTEST_2018-05-01`; Azure for Students Starter is `DreamSpark_2015-02-01`. No Microsoft
 *   page maps MS-AZR-0015P to a quota id, so Microsoft Internal is not recognised here (ARM's own
 *   examples use `Internal_2014-09-01` for ordinary subscriptions).
 * - "Azure subscription states"
 *   (https://learn.microsoft.com/azure/cost-management-billing/manage/subscription-states):
 *   Disabled (and Expired) refuse PUT, PATCH and POST, so neither the directory change nor the
 *   role assignments after it can be made; Deleted allows no operation; Warned and Past Due allow
 *   every operation but "will be disabled shortly" if the reason is not addressed.
 */

/** Every reason a subscription cannot change directory (see the module's sources). */
export const DIRECTORY_CHANGE_BLOCKERS = [
  'partner',
  'studentsStarter',
  'disabled',
  'deleted',
] as const;

/** Why a subscription cannot change directory: one of {@link DIRECTORY_CHANGE_BLOCKERS}. */
export type DirectoryChangeBlocker = (typeof DIRECTORY_CHANGE_BLOCKERS)[number];

/** The quota ids of partner (CSP) subscriptions, per "Understand Cost Management data". */
export const PARTNER_QUOTA_IDS: readonly string[] = [
  'CSP_2015-05-01',
  'CSP_MG_2017-12-01',
  'CSPDEVTEST_2018-05-01',
];

/** The quota id of Azure for Students Starter (MS-AZR-0144P), per "Understand Cost Management data". */
export const STUDENTS_STARTER_QUOTA_ID = 'DreamSpark_2015-02-01';

/**
 * What stops `subscription` from changing directory, or `undefined` when nothing Microsoft
 * documents does. The quota id is compared without regard to case (ARM does not promise one).
 * @param subscription as ARM returns it (`state` is one of Enabled, Warned, PastDue, Disabled,
 *   Deleted; `quotaId` may be absent)
 */
export function directoryChangeBlocker(
  subscription: Pick<AzureSubscription, 'state' | 'quotaId'>,
): DirectoryChangeBlocker | undefined {
  const quota = subscription.quotaId?.toLowerCase();
  if (quota && PARTNER_QUOTA_IDS.some((q) => q.toLowerCase() === quota)) return 'partner';
  if (quota === STUDENTS_STARTER_QUOTA_ID.toLowerCase()) return 'studentsStarter';
  const state = subscription.state.toLowerCase();
  if (state === 'disabled' || state === 'expired') return 'disabled';
  if (state === 'deleted') return 'deleted';
  return undefined;
}

/**
 * True when the subscription can move but is about to be disabled (state Warned or PastDue): the
 * admin is told before choosing, since a subscription disabled after the move refuses the role
 * assignments that give the Office 365 accounts access.
 */
export function isAboutToBeDisabled(subscription: Pick<AzureSubscription, 'state'>): boolean {
  const state = subscription.state.toLowerCase();
  return state === 'warned' || state === 'pastdue';
}
