import type { GrantableRole } from './roles';
import type { DirectoryPerson } from './rules';

/**
 * The domain's view of directories, subscriptions and role assignments: what the dialog shows
 * and decides on. The Graph and ARM clients translate the services' JSON into these shapes.
 */

export type { DirectoryPerson } from './rules';

/** An Office 365 (Entra ID) organization: Graph `organization` (id, displayName, verifiedDomains). */
export interface Organization {
  readonly tenantId: string;
  readonly displayName: string;
  /** The default verified domain, e.g. `contoso.onmicrosoft.com`. */
  readonly defaultDomain: string;
  readonly verifiedDomains: readonly string[];
}

/** A product the directory is subscribed to (Graph `subscribedSku`), e.g. Office 365 E3. */
export interface SubscribedSku {
  /** e.g. `ENTERPRISEPACK`. */
  readonly skuPartNumber: string;
  /** `Enabled`, `Warning`, `Suspended`, `Deleted` or `LockedOut`. */
  readonly capabilityStatus: string;
}

/** An Entra directory role held by a user (Graph `directoryRole`). */
export interface DirectoryRole {
  readonly displayName: string;
  readonly roleTemplateId: string;
}

/** A directory the signed-in Azure account belongs to (ARM `GET /tenants`, 2022-12-01). */
export interface AzureTenant {
  readonly tenantId: string;
  readonly displayName: string;
  readonly defaultDomain: string;
}

/** An Azure subscription and the directory it trusts (ARM `GET /subscriptions`, 2022-12-01). */
export interface AzureSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  /** The directory (tenant) the subscription trusts today. */
  readonly tenantId: string;
  /** Enabled, Warned, PastDue, Disabled or Deleted (Microsoft.Resources 2022-12-01 `SubscriptionState`). */
  readonly state: string;
  /**
   * `subscriptionPolicies.quotaId`: which offer the subscription is on, e.g. `PayAsYouGo_2014-09-01`
   * or `CSP_2015-05-01` (see domain/eligibility.ts); absent when ARM did not return it.
   */
  readonly quotaId?: string;
}

/** An Azure RBAC role assignment (ARM Microsoft.Authorization/roleAssignments, 2022-04-01). */
export interface RoleAssignment {
  /** Full resource id. */
  readonly id: string;
  /** The assignment's GUID name. */
  readonly name: string;
  readonly scope: string;
  readonly principalId: string;
  readonly principalType: string;
  /** Full role definition id. */
  readonly roleDefinitionId: string;
  /** Role name when known (built-in roles, or looked up). */
  readonly roleName: string;
}

/**
 * A custom role definition (ARM `roleDefinitions`, type CustomRole, 2022-04-01). A move deletes
 * the subscription's custom roles; the restore re-creates them with the same GUID.
 */
export interface CustomRoleDefinition {
  /** The definition's GUID. */
  readonly id: string;
  readonly roleName: string;
  readonly description: string;
  readonly permissions: readonly {
    readonly actions: readonly string[];
    readonly notActions: readonly string[];
    readonly dataActions: readonly string[];
    readonly notDataActions: readonly string[];
  }[];
  readonly assignableScopes: readonly string[];
}

/** Any role definition by its GUID (restoring an assignment of a role other than the grantable ones). */
export interface RoleByDefinition {
  readonly definitionGuid: string;
  /** For people (plans, audit). */
  readonly name: string;
}

/** A request to grant a role to a principal at a scope (subscription, resource group or resource). */
export interface RoleGrant {
  readonly scope: string;
  readonly principalId: string;
  readonly principalType: 'User' | 'Group' | 'ServicePrincipal';
  readonly role: GrantableRole | RoleByDefinition;
}

/**
 * The statuses of a directory change request that Microsoft.Subscription 2024-08-01-preview
 * reports: `Initiated` while it waits for the destination owner, `Completed` once accepted
 * (azure-rest-api-specs `…/Microsoft.Subscription/preview/2024-08-01-preview/examples/`
 * putTargetDirectory.json, getTargetDirectory.json, targetDirectoryStatus.json). The spec types
 * `status` as a free string: any other value is passed on as it is.
 */
export const DIRECTORY_CHANGE_STATUS = {
  initiated: 'Initiated',
  completed: 'Completed',
} as const;

/** A directory change request (Microsoft.Subscription changeTenantRequest, 2024-08-01-preview). */
export interface DirectoryChange {
  readonly subscriptionId: string;
  readonly destinationTenantId: string;
  readonly destinationOwnerId: string;
  /** Service status: see {@link DIRECTORY_CHANGE_STATUS}; `Unknown` when the answer had none. */
  readonly status: string;
  readonly expiresOn: string | undefined;
  /** ARM's correlation id of the call that returned this status (for the audit trail). */
  readonly correlationId?: string;
}

/** A write a step would make, as a dry run lists it (method and path below the API root). */
export interface PlannedWrite {
  readonly method: 'PUT' | 'POST' | 'DELETE';
  /** e.g. `/subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
  readonly path: string;
  /** What it does, for people: e.g. `Reader for Jane Doe`. */
  readonly summary: string;
}

/** An Office 365 user that can be granted access (the grant card lists these). */
export type Office365User = DirectoryPerson;

/**
 * A role assignment the move removes, with the principal's display name as the source directory
 * could tell it (its object id otherwise): the backup kept in the change record.
 */
export interface BackedUpAssignment extends RoleAssignment {
  readonly principalName: string;
}
