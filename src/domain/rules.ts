import { CONSUMER_TENANT_ID, DIRECTORY_ROLES } from './roles';

/**
 * The before-you-begin rules of the seed documents (seed 000–002, "Before you begin"), checked
 * for the admin rather than printed. Pure functions over facts that the Graph and ARM clients
 * gathered; no I/O here.
 *
 * - R1 The Azure account administers the subscription (then: service administrator; now: RBAC
 *   Owner at subscription scope, classic administrators were retired on 2024-08-31).
 * - R2 The Office 365 account is a Global Administrator of the Office 365 tenant.
 * - R3 The subscription administrator's email is not a user in the Office 365 tenant.
 * - R4 The subscription administrator's email is not an Office 365 global admin's email.
 * - R5 If that email is both a Microsoft account and a work or school account, switch the
 *   subscription administrator to another Microsoft account for the duration.
 */

/** Rule identifiers, in the seeds' order. */
export type RuleId = 'R1' | 'R2' | 'R3' | 'R4' | 'R5';

/** A directory user as the rules need it (Graph `user`: id, upn, mail, otherMails). */
export interface DirectoryPerson {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly mail: string | null;
  readonly otherMails: readonly string[];
}

/** The signed-in Azure (subscription administrator) account, from its ARM token's claims. */
export interface AzureAdmin {
  /** Email or UPN the admin signed in with. */
  readonly email: string;
  /** `idp` claim: `live.com` for a Microsoft account; absent for a member of the directory. */
  readonly identityProvider: string | undefined;
  /** Home tenant when known (`tid` of an MSA id token is the consumer tenant). */
  readonly homeTenantId?: string;
  /** Subscriptions (display names) on which the account holds Owner at subscription scope. */
  readonly ownedSubscriptions: readonly string[];
}

/** Everything the rules look at. */
export interface PreflightFacts {
  readonly azureAdmin: AzureAdmin;
  /**
   * Directory role template ids the signed-in Office 365 account holds now, directly or through a
   * role-assignable group (Graph transitiveMemberOf).
   */
  readonly office365AdminRoleTemplateIds: readonly string[];
  /**
   * Role template ids it may activate through Privileged Identity Management (eligible, not
   * active); undefined when the directory did not tell.
   */
  readonly office365AdminEligibleRoleTemplateIds?: readonly string[];
  /** Office 365 users whose userPrincipalName or mail equals the Azure admin's email. */
  readonly office365UsersWithAdminEmail: readonly DirectoryPerson[];
  /** Global Administrators of the Office 365 tenant (Graph roleAssignments, principal expanded). */
  readonly office365GlobalAdmins: readonly DirectoryPerson[];
  /** User-realm lookup of the Azure admin's email: `Managed`/`Federated` = a work-account domain. */
  readonly emailRealm: 'Managed' | 'Federated' | 'Unknown';
}

/** The outcome of one rule: `params` fill the localized explanation and fix. */
export interface RuleResult {
  readonly rule: RuleId;
  readonly passed: boolean;
  /** Message parameters, e.g. `{ email, name }`. Never contains a token. */
  readonly params: Readonly<Record<string, string | number>>;
}

const same = (a: string | null | undefined, b: string): boolean =>
  typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * True when the account is a Microsoft account: `idp` is live.com or the home tenant is the
 * consumer tenant (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 */
export function isMicrosoftAccount(
  admin: Pick<AzureAdmin, 'identityProvider' | 'homeTenantId'>,
): boolean {
  const idp = admin.identityProvider?.toLowerCase();
  return (
    idp === 'live.com' ||
    idp?.includes(CONSUMER_TENANT_ID) === true ||
    admin.homeTenantId === CONSUMER_TENANT_ID
  );
}

/** R1: the Azure account is Owner of at least one subscription at subscription scope. */
export function checkR1(facts: PreflightFacts): RuleResult {
  const owned = facts.azureAdmin.ownedSubscriptions;
  return {
    rule: 'R1',
    passed: owned.length > 0,
    params: { email: facts.azureAdmin.email, count: owned.length },
  };
}

/**
 * R2: the Office 365 account holds the Global Administrator directory role now (directly or
 * through a role-assignable group). An account only eligible for it through PIM fails, with
 * `eligible: 'yes'` so that the fix says to activate the role
 * (https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-activate-role).
 */
export function checkR2(facts: PreflightFacts): RuleResult {
  const GA = DIRECTORY_ROLES.GlobalAdministrator;
  const passed = facts.office365AdminRoleTemplateIds.includes(GA);
  const eligible = !passed && facts.office365AdminEligibleRoleTemplateIds?.includes(GA) === true;
  return { rule: 'R2', passed, params: { eligible: eligible ? 'yes' : 'no' } };
}

/** R3: no Office 365 user has the Azure admin's email as sign-in name or mail. */
export function checkR3(facts: PreflightFacts): RuleResult {
  const email = facts.azureAdmin.email;
  const hit = facts.office365UsersWithAdminEmail.find(
    (u) => same(u.userPrincipalName, email) || same(u.mail, email),
  );
  return { rule: 'R3', passed: hit === undefined, params: { email, name: hit?.displayName ?? '' } };
}

/** R4: no Global Administrator of Office 365 uses the Azure admin's email (UPN, mail or alternate email). */
export function checkR4(facts: PreflightFacts): RuleResult {
  const email = facts.azureAdmin.email;
  const hit = facts.office365GlobalAdmins.find(
    (u) =>
      same(u.userPrincipalName, email) ||
      same(u.mail, email) ||
      u.otherMails.some((m) => same(m, email)),
  );
  return { rule: 'R4', passed: hit === undefined, params: { email, name: hit?.displayName ?? '' } };
}

/**
 * R5: the Azure admin's email is not both a Microsoft account and a work or school account. It is
 * both when the signed-in account is a Microsoft account and the email's domain is a work-account
 * realm (user-realm lookup `Managed` or `Federated`).
 */
export function checkR5(facts: PreflightFacts): RuleResult {
  const both = isMicrosoftAccount(facts.azureAdmin) && facts.emailRealm !== 'Unknown';
  return { rule: 'R5', passed: !both, params: { email: facts.azureAdmin.email } };
}

/**
 * Evaluates R1–R5 in order.
 * @returns five results; the link may go on only when every one passed
 */
export function evaluateRules(facts: PreflightFacts): RuleResult[] {
  return [checkR1(facts), checkR2(facts), checkR3(facts), checkR4(facts), checkR5(facts)];
}

/** True when every rule passed. */
export function allPassed(results: readonly RuleResult[]): boolean {
  return results.every((r) => r.passed);
}
