import type { InventoryPolicy, InventoryResource } from './inventory';
import type {
  AzureSubscription,
  CustomRoleDefinition,
  AzureTenant,
  DirectoryChange,
  DirectoryPerson,
  DirectoryRole,
  Organization,
  PlannedWrite,
  RoleAssignment,
  RoleGrant,
  SubscribedSku,
} from './model';

/**
 * Ports: what the dialogs need from the clouds, as interfaces. Dialogs call these and never HTTP;
 * src/graph and src/azure implement them against Microsoft's cloud or the sandbox cloud.
 * Every method throws TenantlinkError (src/errors.ts) on failure.
 */

/** The Office 365 directory as seen by its signed-in Global Administrator (Microsoft Graph v1.0). */
export interface Office365DirectoryPort {
  /** The signed-in user (`GET /me`). */
  me(): Promise<DirectoryPerson>;
  /** The tenant (`GET /organization`). */
  organization(): Promise<Organization>;
  /**
   * Directory roles the signed-in user holds now, directly or through a role-assignable group
   * (`GET /me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true` with
   * `ConsistencyLevel: eventual`: an OData cast is an advanced query).
   */
  myDirectoryRoles(): Promise<DirectoryRole[]>;
  /**
   * Role template ids the signed-in user is eligible for through Privileged Identity Management
   * but holds only once activated (`GET /roleManagement/directory/roleEligibilityScheduleInstances/
   * filterByCurrentUser(on='principal')`); undefined when the directory does not let this account
   * read them (no PIM licence, or 403): eligibility is then unknown, not absent.
   */
  myEligibleRoleTemplateIds(): Promise<string[] | undefined>;
  /**
   * The products the directory is subscribed to (GET /subscribedSkus): Office 365 shows here.
   * @throws TenantlinkError mapped from Graph
   */
  subscribedSkus(): Promise<SubscribedSku[]>;
  /** Users whose userPrincipalName or mail equals the email (one `$batch` of two filters). */
  usersWithEmail(email: string): Promise<DirectoryPerson[]>;
  /** Members of the Global Administrator role, with mail and otherMails. */
  globalAdministrators(): Promise<DirectoryPerson[]>;
  /**
   * One page of users, ordered by the service.
   * @param options `search` matches the display name; `pageSize` ≤ 999; `cursor` from a previous page
   */
  listUsers(options: {
    search?: string;
    pageSize: number;
    cursor?: string;
  }): Promise<{ users: DirectoryPerson[]; cursor?: string }>;
  /** The given users by object id (absent ids are left out). */
  usersById(ids: readonly string[]): Promise<DirectoryPerson[]>;
  /**
   * Users whose userPrincipalName or mail is one of the emails (case-insensitive), in batches of
   * 300 per call (`in (…)` filters of 15 in a JSON batch of 20).
   */
  usersWithEmails(emails: readonly string[]): Promise<DirectoryPerson[]>;
  /**
   * Invites an external account as a guest (`POST /invitations`,
   * https://learn.microsoft.com/graph/api/invitation-post). Idempotent: inviting an address that
   * already has a guest user returns that user.
   * @param redirectUrl where the invitee lands after redeeming
   * @returns the guest user
   */
  inviteGuest(email: string, redirectUrl: string): Promise<DirectoryPerson>;
  /** The write {@link inviteGuest} makes, without making it (dry run). */
  planInvite(email: string): PlannedWrite;
}

/** Azure Resource Manager as seen by one signed-in account in one directory. */
export interface AzureManagementPort {
  /** Directories the account belongs to. */
  listTenants(): Promise<AzureTenant[]>;
  /** Subscriptions the account can see in the token's directory. */
  listSubscriptions(): Promise<AzureSubscription[]>;
  /** One subscription; TenantlinkError cloudNotFound when it does not answer in this directory. */
  getSubscription(subscriptionId: string): Promise<AzureSubscription>;
  /**
   * Role assignments at a scope.
   * @param filter `atScope` (at or above the scope) or `assignedTo` (a principal's, incl. groups)
   */
  listRoleAssignments(
    scope: string,
    filter?: { atScope?: boolean; assignedTo?: string },
  ): Promise<RoleAssignment[]>;
  /**
   * Grants a built-in role; idempotent (deterministic name; 409 RoleAssignmentExists is success).
   * @returns the assignment and whether this call created it
   */
  grantRole(
    grant: RoleGrant,
  ): Promise<{ assignment: RoleAssignment; created: boolean; correlationId?: string }>;
  /**
   * The writes {@link requestDirectoryChange} and {@link acceptDirectoryChange} make, without
   * making them (dry run).
   */
  planDirectoryChange(subscriptionId: string, destinationTenantId: string): PlannedWrite[];
  /** The write {@link grantRole} makes, without making it (dry run). */
  planGrant(grant: RoleGrant): PlannedWrite;
  /** The subscription's custom role definitions (`$filter=type eq 'CustomRole'`). */
  listCustomRoles(subscriptionId: string): Promise<CustomRoleDefinition[]>;
  /**
   * Creates or updates a custom role with its GUID (PUT roleDefinitions/{id}); idempotent.
   * @returns whether this call created it
   */
  putCustomRole(
    subscriptionId: string,
    role: CustomRoleDefinition,
  ): Promise<{ created: boolean; correlationId?: string }>;
  /** The write {@link putCustomRole} makes, without making it (dry run). */
  planCustomRole(subscriptionId: string, role: CustomRoleDefinition): PlannedWrite;
  /** Asks to move the subscription to another directory (PUT changeTenantRequest/default). */
  requestDirectoryChange(
    subscriptionId: string,
    destinationTenantId: string,
    destinationOwnerId: string,
  ): Promise<DirectoryChange>;
  /** The pending request, or undefined (GET changeTenantRequest/default, 404 → undefined). */
  getDirectoryChange(subscriptionId: string): Promise<DirectoryChange | undefined>;
  /**
   * Withdraws the pending request (DELETE changeTenantRequest/default: 200).
   * @returns whether there was one to withdraw (404 → false) and ARM's correlation id
   */
  cancelDirectoryChange(
    subscriptionId: string,
  ): Promise<{ readonly withdrawn: boolean; readonly correlationId?: string }>;
  /**
   * Accepts the move as the destination owner (POST acceptChangeTenant: 204, no body).
   * @returns ARM's correlation id of the call, for the audit trail
   */
  acceptDirectoryChange(subscriptionId: string): Promise<{ correlationId?: string }>;
  /**
   * The status of the subscription's latest request as its acceptor sees it (POST
   * changeTenantStatus: `{ status }`), e.g. `Completed` once accepted; undefined when there is no
   * request this account may see (404 or 403).
   */
  directoryChangeStatus(subscriptionId: string): Promise<string | undefined>;
}

/**
 * A subscription's resources as Azure Resource Graph lists them (src/azure/resourceGraph.ts), for
 * the inventory of what the move breaks (src/domain/inventory.ts).
 */
export interface ResourceInventoryPort {
  /** Every resource of the subscription, with the properties the inventory reads. */
  resources(subscriptionId: string): Promise<InventoryResource[]>;
  /** The subscription's key vaults (id, name, tenant). */
  keyVaults(subscriptionId: string): Promise<InventoryResource[]>;
  /** Its Azure Policy assignments, definitions and exemptions. */
  policies(subscriptionId: string): Promise<InventoryPolicy[]>;
}

/** A key vault access policy (Microsoft.KeyVault `AccessPolicyEntry`). */
export interface KeyVaultAccessPolicy {
  readonly tenantId: string;
  readonly objectId: string;
  readonly applicationId?: string;
  readonly permissions: {
    readonly keys?: readonly string[];
    readonly secrets?: readonly string[];
    readonly certificates?: readonly string[];
    readonly storage?: readonly string[];
  };
}

/** What tenantlink reads of a key vault. */
export interface KeyVaultState {
  readonly id: string;
  readonly name: string;
  /** The directory the vault authenticates against. */
  readonly tenantId: string;
  readonly accessPolicies: readonly KeyVaultAccessPolicy[];
  /**
   * `properties.enableRbacAuthorization` (false when absent, the spec's default): the vault's data
   * actions are authorized by Azure role assignments and its access policies "will be ignored"
   * (Microsoft.KeyVault 2023-07-01 `VaultProperties`, see src/azure/keyVaults.ts).
   */
  readonly rbacAuthorization: boolean;
}

/** Key vaults through Azure Resource Manager (src/azure/keyVaults.ts). */
export interface KeyVaultPort {
  /** @throws TenantlinkError cloudNotFound, cloudForbidden, … */
  get(vaultId: string): Promise<KeyVaultState>;
  /**
   * Sets the vault's tenant ID and replaces its access policies (a PATCH).
   * @param accessPolicies the vault's new policies; undefined leaves them out of the PATCH (an
   *   RBAC-mode vault ignores them, and a PATCH property not specified does not change)
   * @throws TenantlinkError cloudForbidden without write access, …
   */
  update(
    vaultId: string,
    tenantId: string,
    accessPolicies: readonly KeyVaultAccessPolicy[] | undefined,
  ): Promise<{ state: KeyVaultState; correlationId: string | undefined }>;
}
