import type { BackedUpAssignment } from './model';
import type { DirectoryPerson } from './rules';

/**
 * The restore plan: for every role assignment the move removes, where its principal can come from
 * in the Office 365 directory afterwards. A user of the old directory is matched to an Office 365
 * user by email (UPN, mail, other mails, or the address inside a guest's `#EXT#` UPN); a user with
 * no match can be invited as a guest (Graph `POST /invitations`); groups, service principals and
 * managed identities of the old directory cannot be carried, and the plan says why. Pure: the
 * callers fetch the people. Source of the facts:
 * https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription
 */

/** Why an assignment cannot be carried across by tenantlink. */
export type SkipReason = 'group' | 'servicePrincipal' | 'noEmail' | 'other' | 'notChosen';

/** What to do with one removed assignment. */
export type RestoreAction =
  | { readonly kind: 'restore'; readonly principalId: string; readonly principalName: string }
  | { readonly kind: 'invite'; readonly email: string }
  | { readonly kind: 'skip'; readonly reason: SkipReason };

/** One removed assignment and its fate. */
export interface RestorePlanEntry {
  /** The removed assignment's resource id. */
  readonly assignmentId: string;
  /** Its scope (subscription, resource group or resource). */
  readonly scope: string;
  readonly roleDefinitionId: string;
  readonly roleName: string;
  readonly principalType: string;
  /** Who held it in the old directory (email, name or object id). */
  readonly formerPrincipal: string;
  readonly action: RestoreAction;
}

/** Counts of a plan, for cards. */
export interface RestorePlanSummary {
  readonly restore: number;
  readonly invite: number;
  readonly skip: number;
  readonly skipReasons: Partial<Record<SkipReason, number>>;
}

/**
 * Every email a user of the old directory is known by, lower case: mail, other mails, the UPN,
 * and for a guest the external address inside its UPN (`sam.dev_outlook.com#EXT#@…` →
 * `sam.dev@outlook.com`).
 */
export function emailsOf(person: DirectoryPerson): string[] {
  const out = new Set<string>();
  const add = (value: string | null | undefined): void => {
    if (value && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) out.add(value.toLowerCase());
  };
  add(person.mail);
  for (const m of person.otherMails) add(m);
  const upn = person.userPrincipalName;
  // Stryker disable next-line Regex: without `^` the match still starts at the first character
  const ext = /^(.+)_([^_]+)#EXT#@/i.exec(upn);
  if (ext?.[1] && ext[2]) add(`${ext[1]}@${ext[2]}`);
  else add(upn);
  return [...out];
}

/**
 * Builds the plan.
 * @param backup the assignments the move removes (the impact review's backup)
 * @param formerUsers users of the old directory by object id (those it could read)
 * @param office365Users users of the Office 365 directory found by the emails of `formerUsers`
 */
export function planRestore(
  backup: readonly BackedUpAssignment[],
  formerUsers: readonly DirectoryPerson[],
  office365Users: readonly DirectoryPerson[],
): RestorePlanEntry[] {
  const former = new Map(formerUsers.map((p) => [p.id, p]));
  const byEmail = new Map<string, DirectoryPerson>();
  for (const u of office365Users) {
    for (const e of [u.userPrincipalName, u.mail])
      if (e && !byEmail.has(e.toLowerCase())) byEmail.set(e.toLowerCase(), u);
  }
  return backup.map((a) => planEntry(a, actionFor(a, former.get(a.principalId), byEmail)));
}

/** One removed assignment with what to do with it. */
export function planEntry(a: BackedUpAssignment, action: RestoreAction): RestorePlanEntry {
  return {
    assignmentId: a.id,
    scope: a.scope,
    roleDefinitionId: a.roleDefinitionId,
    roleName: a.roleName,
    principalType: a.principalType,
    formerPrincipal: a.principalName,
    action,
  };
}

function actionFor(
  a: BackedUpAssignment,
  person: DirectoryPerson | undefined,
  office365ByEmail: ReadonlyMap<string, DirectoryPerson>,
): RestoreAction {
  if (a.principalType === 'Group') return { kind: 'skip', reason: 'group' };
  if (a.principalType === 'ServicePrincipal') return { kind: 'skip', reason: 'servicePrincipal' };
  if (a.principalType !== 'User') return { kind: 'skip', reason: 'other' };
  const emails = person ? emailsOf(person) : [];
  for (const email of emails) {
    const match = office365ByEmail.get(email);
    if (match)
      return {
        kind: 'restore',
        principalId: match.id,
        principalName: match.mail ?? match.userPrincipalName,
      };
  }
  return emails[0] ? { kind: 'invite', email: emails[0] } : { kind: 'skip', reason: 'noEmail' };
}

/** Counts a plan's actions and skip reasons. */
export function summarizePlan(plan: readonly RestorePlanEntry[]): RestorePlanSummary {
  const skipReasons: Partial<Record<SkipReason, number>> = {};
  let restore = 0;
  let invite = 0;
  let skip = 0;
  for (const e of plan) {
    if (e.action.kind === 'restore') restore++;
    else if (e.action.kind === 'invite') invite++;
    else {
      skip++;
      skipReasons[e.action.reason] = (skipReasons[e.action.reason] ?? 0) + 1;
    }
  }
  return { restore, invite, skip, skipReasons };
}

/** Outcome of one removed assignment. */
export interface RestoreResult {
  readonly assignmentId: string;
  readonly scope: string;
  readonly roleName: string;
  readonly formerPrincipal: string;
  /**
   * `restored` (created now), `invitedRestored` (guest invited, then created), `existing` (already
   * there), `skipped` (not carried: `reason`), `failed` (`errorCode`).
   */
  readonly outcome: 'restored' | 'invitedRestored' | 'existing' | 'skipped' | 'failed';
  readonly reason?: SkipReason;
  readonly errorCode?: string;
  readonly correlationId?: string;
}
