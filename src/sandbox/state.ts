import { randomUUID } from 'node:crypto';
import { BUILT_IN_ROLES } from '../domain/roles';
import type {
  Seed,
  SeedAccount,
  SeedApplication,
  SeedFederatedIdentityCredential,
  SeedManagedIdentity,
  SeedPrincipal,
  SeedRoleAssignment,
  SeedSubscription,
  SeedTenant,
  SeedUser,
} from './seed';

/**
 * The mutable world of the sandbox cloud: a deep copy of a {@link Seed} that the Graph, ARM and
 * token endpoints read and change (invitations add guests, role assignments are created, a
 * directory change moves a subscription). One instance per running sandbox; never shared across
 * sandboxes, so parallel tests do not see each other.
 */

/** A user object of one directory. */
export interface UserRecord extends Omit<SeedUser, 'otherMails'> {
  otherMails: string[];
  /** When the object was created (ms since epoch); drives the replication-delay fault. */
  createdAtMs: number;
}

/** A directory (tenant) and its objects. */
export interface TenantRecord extends Omit<SeedTenant, 'users' | 'principals' | 'directoryRoles'> {
  users: UserRecord[];
  principals: SeedPrincipal[];
  directoryRoles: Record<string, string[]>;
}

/** An Azure RBAC role assignment; `scope` is the full ARM scope. */
export interface RoleAssignmentRecord {
  name: string;
  scope: string;
  principalId: string;
  principalType: SeedRoleAssignment['principalType'];
  /** Role definition GUID (not the full id). */
  roleDefinitionId: string;
  createdOn: string;
  createdBy: string | null;
}

/** A Microsoft.Subscription changeTenantRequest. */
export interface ChangeTenantRecord {
  subscriptionId: string;
  sourceTenantId: string;
  destinationTenantId: string;
  destinationOwnerId: string;
  /**
   * The statuses Microsoft.Subscription 2024-08-01-preview reports (`Initiated` for a request not
   * yet accepted, `Completed` once accepted: the examples putTargetDirectory, getTargetDirectory
   * and targetDirectoryStatus of azure-rest-api-specs), plus `Deleted`: the sandbox's own record of
   * a request withdrawn with DELETE, which ARM no longer returns (404).
   */
  status: 'Initiated' | 'Completed' | 'Deleted';
  requestedBy: string;
  createdOn: string;
  expiresOn: string;
  completedOn?: string;
}

/** An Azure subscription. */
export interface SubscriptionRecord extends Omit<
  SeedSubscription,
  'roleAssignments' | 'customRoles' | 'state'
> {
  tenantId: string;
  /** ARM's `state`; `Enabled` when absent. The portal's cancel sets `Disabled` (control.ts). */
  state?: SeedSubscription['state'];
  roleAssignments: RoleAssignmentRecord[];
  customRoles: CustomRoleRecord[];
  /**
   * Epoch ms before which the subscription's current directory does not show it yet: set by a
   * directory change when the sandbox models propagation (`propagationDelayMs` of the faults).
   * Microsoft: after the transfer "it can take time for the new directory to show" the
   * subscription (https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription).
   */
  visibleFrom?: number;
}

/**
 * A custom role definition listed at a subscription (ARM roleDefinitions 2022-04-01, type
 * CustomRole): its own, or one defined above it (a management group's) that RoleDefinitions_List
 * returns with them ("applicable at scope and above").
 */
export interface CustomRoleRecord {
  /** GUID. */
  id: string;
  roleName: string;
  description: string;
  permissions: {
    actions: string[];
    notActions: string[];
    dataActions: string[];
    notDataActions: string[];
  }[];
  assignableScopes: string[];
}

/** A B2B invitation created through Graph `/invitations`. */
export interface InvitationRecord {
  id: string;
  tenantId: string;
  invitedUserEmailAddress: string;
  invitedUserId: string;
  createdOn: string;
}

/** The JSON snapshot served by `GET /_sandbox/state` (no passwords, no tokens). */
export interface SandboxSnapshot {
  tenants: {
    id: string;
    displayName: string;
    domains: string[];
    users: { id: string; displayName: string; userPrincipalName: string; userType: string }[];
    directoryRoles: Record<string, string[]>;
  }[];
  subscriptions: {
    subscriptionId: string;
    displayName: string;
    tenantId: string;
    roleAssignments: RoleAssignmentRecord[];
    customRoles: CustomRoleRecord[];
    /** Epoch ms from which the subscription's directory shows it (after a modelled propagation). */
    visibleFrom?: number;
  }[];
  changeTenantRequests: ChangeTenantRecord[];
  invitations: InvitationRecord[];
}

const OWNER_ROLE_ID = BUILT_IN_ROLES.Owner;

/** Mutable state of one sandbox. */
export class SandboxState {
  applications: SeedApplication[] = [];
  managedIdentities: SeedManagedIdentity[] = [];
  accounts: SeedAccount[] = [];
  tenants: TenantRecord[] = [];
  subscriptions: SubscriptionRecord[] = [];
  changeTenantRequests: ChangeTenantRecord[] = [];
  invitations: InvitationRecord[] = [];

  constructor(private readonly seed: Seed) {
    this.reset();
  }

  /** Restores the seed, dropping every change. */
  reset(): void {
    const copy = structuredClone(this.seed) as Seed;
    this.applications = [...copy.applications];
    this.managedIdentities = [...(copy.managedIdentities ?? [])];
    this.accounts = [...copy.accounts];
    this.tenants = copy.tenants.map((t) => ({
      ...t,
      users: t.users.map((u) => ({ ...u, otherMails: [...u.otherMails], createdAtMs: 0 })),
      principals: [...t.principals],
      directoryRoles: Object.fromEntries(
        Object.entries(t.directoryRoles).map(([k, v]) => [k, [...v]]),
      ),
    }));
    this.subscriptions = copy.subscriptions.map((s) => ({
      ...s,
      customRoles: (s.customRoles ?? []).map((r) => ({
        id: r.id.toLowerCase(),
        roleName: r.roleName,
        description: r.description,
        permissions: [
          { actions: [...r.actions], notActions: [], dataActions: [], notDataActions: [] },
        ],
        assignableScopes: [...(r.assignableScopes ?? [`/subscriptions/${s.subscriptionId}`])],
      })),
      roleAssignments: s.roleAssignments.map((a) => ({
        ...a,
        scope: isAboveSubscription(a.scope)
          ? a.scope
          : `/subscriptions/${s.subscriptionId}${a.scope}`,
        createdOn: '2018-03-01T09:00:00.0000000Z',
        createdBy: null,
      })),
    }));
    this.changeTenantRequests = [];
    this.invitations = [];
  }

  tenant(tenantId: string): TenantRecord | undefined {
    const id = tenantId.toLowerCase();
    return this.tenants.find((t) => t.id === id);
  }

  subscription(subscriptionId: string): SubscriptionRecord | undefined {
    const id = subscriptionId.toLowerCase();
    return this.subscriptions.find((s) => s.subscriptionId === id);
  }

  /** The app registration of a client id, if any. */
  application(appId: string): SeedApplication | undefined {
    return this.applications.find((a) => a.appId === appId);
  }

  /** The user-assigned managed identity of a client id, if any (client ids compare case-insensitively). */
  managedIdentity(clientId: string): SeedManagedIdentity | undefined {
    const id = clientId.toLowerCase();
    return this.managedIdentities.find((m) => m.clientId.toLowerCase() === id);
  }

  /**
   * Creates or replaces a federated identity credential of an app registration, by name (as
   * Microsoft Graph's upsert does,
   * https://learn.microsoft.com/graph/api/federatedidentitycredential-upsert).
   * @returns false when no app registration has that client id
   */
  upsertFederatedIdentityCredential(appId: string, fic: SeedFederatedIdentityCredential): boolean {
    const index = this.applications.findIndex((a) => a.appId === appId);
    const app = this.applications[index];
    if (!app) return false;
    const others = (app.federatedIdentityCredentials ?? []).filter((f) => f.name !== fic.name);
    this.applications[index] = { ...app, federatedIdentityCredentials: [...others, fic] };
    return true;
  }

  account(accountId: string): SeedAccount | undefined {
    return this.accounts.find((a) => a.accountId === accountId);
  }

  /** The user object of an account in a directory, if the account belongs to it. */
  userOfAccount(tenant: TenantRecord, accountId: string): UserRecord | undefined {
    return tenant.users.find((u) => u.accountId === accountId);
  }

  /** Directories an account belongs to (home first). */
  directoriesOf(account: SeedAccount): TenantRecord[] {
    const member = this.tenants.filter((t) =>
      t.users.some((u) => u.accountId === account.accountId),
    );
    return member.sort((a, b) =>
      a.id === account.homeTenantId ? -1 : b.id === account.homeTenantId ? 1 : 0,
    );
  }

  /** The principal type of an object id in a directory, or undefined when it does not exist. */
  principalType(
    tenant: TenantRecord,
    objectId: string,
  ): 'User' | 'ServicePrincipal' | 'Group' | undefined {
    if (tenant.users.some((u) => u.id === objectId)) return 'User';
    return tenant.principals.find((p) => p.id === objectId)?.principalType;
  }

  /** Creates a guest user for an invitation (idempotent per email). */
  invite(tenant: TenantRecord, email: string): { user: UserRecord; invitation: InvitationRecord } {
    const lower = email.toLowerCase();
    let user = tenant.users.find(
      (u) => u.mail?.toLowerCase() === lower || u.userPrincipalName.toLowerCase() === lower,
    );
    if (!user) {
      const account = this.accounts.find((a) => a.signInName.toLowerCase() === lower);
      const [local = email, domain = ''] = lower.split('@');
      user = {
        id: randomUUID(),
        accountId: account?.accountId ?? `external:${lower}`,
        displayName: account?.displayName ?? local,
        givenName: local,
        surname: '',
        userPrincipalName: `${local}_${domain}#EXT#@${tenant.domains[0] ?? 'sandbox.onmicrosoft.com'}`,
        mail: lower,
        otherMails: [lower],
        userType: 'Guest',
        jobTitle: null,
        createdAtMs: Date.now(),
      };
      tenant.users.push(user);
    }
    const invitation: InvitationRecord = {
      id: randomUUID(),
      tenantId: tenant.id,
      invitedUserEmailAddress: email,
      invitedUserId: user.id,
      createdOn: new Date().toISOString(),
    };
    this.invitations.push(invitation);
    return { user, invitation };
  }

  /**
   * Moves a subscription to another directory as Azure does (the API's accept and the portal's
   * "Change directory" alike): the subscription trusts `destinationTenantId`, ALL its role
   * assignments are deleted, and `ownerObjectId` becomes Owner at subscription scope.
   */
  moveSubscription(
    sub: SubscriptionRecord,
    destinationTenantId: string,
    ownerObjectId: string,
    propagationDelayMs = 0,
  ): void {
    sub.tenantId = destinationTenantId;
    sub.visibleFrom = propagationDelayMs > 0 ? Date.now() + propagationDelayMs : undefined;
    // The transfer deletes the subscription's custom roles with its role assignments; those of the
    // old directory's management groups stay there, no longer applicable: it leaves their hierarchy.
    sub.customRoles = [];
    const now = new Date().toISOString();
    sub.roleAssignments = [
      {
        name: randomUUID(),
        scope: `/subscriptions/${sub.subscriptionId}`,
        principalId: ownerObjectId,
        principalType: 'User',
        roleDefinitionId: OWNER_ROLE_ID,
        createdOn: now,
        createdBy: ownerObjectId,
      },
    ];
  }

  /** A JSON-safe copy for `GET /_sandbox/state`. */
  snapshot(): SandboxSnapshot {
    return structuredClone({
      tenants: this.tenants.map((t) => ({
        id: t.id,
        displayName: t.displayName,
        domains: [...t.domains],
        users: t.users.map((u) => ({
          id: u.id,
          displayName: u.displayName,
          userPrincipalName: u.userPrincipalName,
          userType: u.userType,
        })),
        directoryRoles: t.directoryRoles,
      })),
      subscriptions: this.subscriptions.map((s) => ({
        subscriptionId: s.subscriptionId,
        displayName: s.displayName,
        tenantId: s.tenantId,
        roleAssignments: s.roleAssignments,
        customRoles: s.customRoles,
        ...(s.visibleFrom === undefined ? {} : { visibleFrom: s.visibleFrom }),
      })),
      changeTenantRequests: this.changeTenantRequests,
      invitations: this.invitations,
    });
  }
}

/** Whether a seed scope is absolute and above any subscription (a management group or the root). */
export function isAboveSubscription(scope: string): boolean {
  return scope === '/' || scope.toLowerCase().startsWith('/providers/microsoft.management/');
}

/**
 * The directory role template ids a user holds: its own, and those of the role-assignable groups
 * it is a member of (a role assigned to a group applies to its members).
 */
export function rolesOfUser(tenant: TenantRecord, userId: string): string[] {
  const viaGroups = (tenant.groups ?? [])
    .filter((g) => g.members.includes(userId))
    .flatMap((g) => tenant.directoryRoles[g.id] ?? []);
  return [...new Set([...(tenant.directoryRoles[userId] ?? []), ...viaGroups])];
}
