import type {
  AzureSubscription,
  CustomRoleDefinition,
  AzureTenant,
  DirectoryChange,
  PlannedWrite,
  RoleAssignment,
  RoleGrant,
} from '../domain/model';
import { roleAssignmentName } from '../domain/names';
import type { AzureManagementPort } from '../domain/ports';
import { builtInRoleName, roleDefinitionIdAt, roleGuid } from '../domain/roles';
import { TenantlinkError } from '../errors';
import type { ArmClient } from './armClient';
import { listCustomRoles, planCustomRole, putCustomRole } from './customRoles';

/**
 * Azure Resource Manager operations of the link, for one signed-in account in one directory.
 * API versions and shapes from Azure/azure-rest-api-specs:
 * - Microsoft.Resources subscriptions/tenants 2022-12-01 (specification/resources/…/subscriptions.json)
 * - Microsoft.Authorization roleAssignments 2022-04-01 (specification/authorization/…/authorization-RoleAssignmentsCalls.json)
 * - Microsoft.Subscription changeTenantRequest / acceptChangeTenant 2024-08-01-preview
 */

/** api-version of /subscriptions and /tenants. */
export const SUBSCRIPTIONS_API = '2022-12-01';
/** api-version of Microsoft.Authorization role assignments and definitions. */
export const AUTHORIZATION_API = '2022-04-01';
/** api-version of Microsoft.Subscription's directory change (preview). */
export const CHANGE_TENANT_API = '2024-08-01-preview';

interface ArmSubscription {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state: string;
  subscriptionPolicies?: { quotaId?: string };
}

interface ArmTenant {
  tenantId: string;
  displayName?: string;
  defaultDomain?: string;
}

interface ArmRoleAssignment {
  id: string;
  name: string;
  properties: {
    scope: string;
    principalId: string;
    principalType: string;
    roleDefinitionId: string;
  };
}

/** Microsoft.Subscription 2024-08-01-preview `TargetDirectoryResult` (every property optional). */
interface ArmChangeTenant {
  properties?: {
    destinationTenantId?: string;
    destinationOwnerId?: string;
    /** Older example versions' names for the owner. */
    destinationObjectId?: string;
    destinationEmailId?: string;
    status?: string;
    expiresOn?: string;
  };
}

const toSubscription = (s: ArmSubscription): AzureSubscription => ({
  subscriptionId: s.subscriptionId,
  displayName: s.displayName,
  tenantId: s.tenantId,
  state: s.state,
  ...(s.subscriptionPolicies?.quotaId ? { quotaId: s.subscriptionPolicies.quotaId } : {}),
});

const toAssignment = (a: ArmRoleAssignment): RoleAssignment => ({
  id: a.id,
  name: a.name,
  scope: a.properties.scope,
  principalId: a.properties.principalId,
  principalType: a.properties.principalType,
  roleDefinitionId: a.properties.roleDefinitionId,
  roleName:
    builtInRoleName(a.properties.roleDefinitionId) ?? roleGuid(a.properties.roleDefinitionId),
});

const toChange = (
  subscriptionId: string,
  c: ArmChangeTenant,
  correlationId?: string,
): DirectoryChange => ({
  subscriptionId,
  destinationTenantId: c.properties?.destinationTenantId ?? '',
  // Earlier versions of Microsoft's examples named the owner destinationObjectId/destinationEmailId.
  destinationOwnerId:
    c.properties?.destinationOwnerId ??
    c.properties?.destinationObjectId ??
    c.properties?.destinationEmailId ??
    '',
  status: c.properties?.status ?? 'Unknown',
  expiresOn: c.properties?.expiresOn,
  correlationId,
});

/** Implements {@link AzureManagementPort} over an {@link ArmClient}. */
export class ArmAzureManagement implements AzureManagementPort {
  constructor(private readonly arm: ArmClient) {}

  async listTenants(): Promise<AzureTenant[]> {
    const tenants = await this.arm.list<ArmTenant>(`/tenants?api-version=${SUBSCRIPTIONS_API}`);
    return tenants.map((t) => ({
      tenantId: t.tenantId,
      displayName: t.displayName ?? t.tenantId,
      defaultDomain: t.defaultDomain ?? '',
    }));
  }

  async listSubscriptions(): Promise<AzureSubscription[]> {
    return (
      await this.arm.list<ArmSubscription>(`/subscriptions?api-version=${SUBSCRIPTIONS_API}`)
    ).map(toSubscription);
  }

  async getSubscription(subscriptionId: string): Promise<AzureSubscription> {
    const { body } = await this.arm.send<ArmSubscription>(
      'GET',
      `/subscriptions/${subscriptionId}?api-version=${SUBSCRIPTIONS_API}`,
    );
    return toSubscription(body);
  }

  async listRoleAssignments(
    scope: string,
    filter?: { atScope?: boolean; assignedTo?: string },
  ): Promise<RoleAssignment[]> {
    const filters: string[] = [];
    if (filter?.atScope) filters.push('atScope()');
    if (filter?.assignedTo) filters.push(`assignedTo('${filter.assignedTo}')`);
    const query = filters.length ? `&$filter=${encodeURIComponent(filters.join(' and '))}` : '';
    const path = `${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=${AUTHORIZATION_API}${query}`;
    return (await this.arm.list<ArmRoleAssignment>(path)).map(toAssignment);
  }

  listCustomRoles(subscriptionId: string): Promise<CustomRoleDefinition[]> {
    return listCustomRoles(this.arm, subscriptionId);
  }

  putCustomRole(
    subscriptionId: string,
    role: CustomRoleDefinition,
  ): Promise<{ created: boolean; correlationId?: string }> {
    return putCustomRole(this.arm, subscriptionId, role);
  }

  planCustomRole(subscriptionId: string, role: CustomRoleDefinition): PlannedWrite {
    return planCustomRole(subscriptionId, role);
  }

  async grantRole(
    grant: RoleGrant,
  ): Promise<{ assignment: RoleAssignment; created: boolean; correlationId?: string }> {
    const { path, roleDefinitionId } = this.grantTarget(grant);
    try {
      const { body, status, correlationId } = await this.arm.send<ArmRoleAssignment>('PUT', path, {
        properties: {
          roleDefinitionId,
          principalId: grant.principalId,
          principalType: grant.principalType,
        },
      });
      return { assignment: toAssignment(body), created: status === 201, correlationId };
    } catch (err) {
      // 409 RoleAssignmentExists: the principal already holds the role at the scope (DESIGN.md): done.
      if (err instanceof TenantlinkError && err.serviceCode === 'RoleAssignmentExists') {
        const existing = (
          await this.listRoleAssignments(grant.scope, { assignedTo: grant.principalId })
        ).find(
          (a) =>
            roleGuid(a.roleDefinitionId) === roleGuid(roleDefinitionId) &&
            a.scope.toLowerCase() === grant.scope.toLowerCase(),
        );
        if (existing)
          return { assignment: existing, created: false, correlationId: err.correlationId };
      }
      throw err;
    }
  }

  async requestDirectoryChange(
    subscriptionId: string,
    destinationTenantId: string,
    destinationOwnerId: string,
  ): Promise<DirectoryChange> {
    const { body, correlationId } = await this.arm.send<ArmChangeTenant>(
      'PUT',
      this.changeTenantPath(subscriptionId),
      {
        properties: { destinationTenantId, destinationOwnerId },
      },
    );
    return toChange(subscriptionId, body, correlationId);
  }

  async getDirectoryChange(subscriptionId: string): Promise<DirectoryChange | undefined> {
    try {
      const { body } = await this.arm.send<ArmChangeTenant>(
        'GET',
        this.changeTenantPath(subscriptionId),
      );
      return toChange(subscriptionId, body);
    } catch (err) {
      if (err instanceof TenantlinkError && err.def.status === 404) return undefined;
      throw err;
    }
  }

  async cancelDirectoryChange(
    subscriptionId: string,
  ): Promise<{ withdrawn: boolean; correlationId?: string }> {
    try {
      const { correlationId } = await this.arm.send(
        'DELETE',
        this.changeTenantPath(subscriptionId),
      );
      return { withdrawn: true, correlationId };
    } catch (err) {
      if (err instanceof TenantlinkError && err.def.status === 404) return { withdrawn: false };
      throw err;
    }
  }

  async acceptDirectoryChange(subscriptionId: string): Promise<{ correlationId?: string }> {
    // 204 No Content (Subscriptions_AcceptTargetDirectory): nothing to read but the correlation id.
    const { correlationId } = await this.arm.send('POST', this.acceptPath(subscriptionId));
    return { correlationId };
  }

  async directoryChangeStatus(subscriptionId: string): Promise<string | undefined> {
    try {
      const { body } = await this.arm.send<{ status?: string }>(
        'POST',
        `/providers/Microsoft.Subscription/subscriptions/${subscriptionId}/changeTenantStatus?api-version=${CHANGE_TENANT_API}`,
      );
      return body?.status;
    } catch (err) {
      if (err instanceof TenantlinkError && (err.def.status === 404 || err.def.status === 403))
        return undefined;
      throw err;
    }
  }

  planDirectoryChange(subscriptionId: string, destinationTenantId: string): PlannedWrite[] {
    return [
      {
        method: 'PUT',
        path: this.changeTenantPath(subscriptionId).split('?')[0]!,
        summary: `changeTenantRequest → ${destinationTenantId}`,
      },
      {
        method: 'POST',
        path: this.acceptPath(subscriptionId).split('?')[0]!,
        summary: 'acceptChangeTenant',
      },
    ];
  }

  planGrant(grant: RoleGrant): PlannedWrite {
    return {
      method: 'PUT',
      path: this.grantTarget(grant).path.split('?')[0]!,
      summary: `${typeof grant.role === 'string' ? grant.role : grant.role.name} → ${grant.principalId}`,
    };
  }

  /** The deterministic role assignment path and role definition id of a grant. */
  private grantTarget(grant: RoleGrant): { path: string; roleDefinitionId: string } {
    const subscriptionId = grant.scope.split('/')[2] ?? '';
    // The definition id is written at the subscription, whatever the assignment's scope.
    const roleDefinitionId = roleDefinitionIdAt(subscriptionId, grant.role);
    const name = roleAssignmentName(grant.scope, grant.principalId, roleDefinitionId);
    return {
      path: `${grant.scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=${AUTHORIZATION_API}`,
      roleDefinitionId,
    };
  }

  private acceptPath(subscriptionId: string): string {
    return `/providers/Microsoft.Subscription/subscriptions/${subscriptionId}/acceptChangeTenant?api-version=${CHANGE_TENANT_API}`;
  }

  private changeTenantPath(subscriptionId: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Subscription/changeTenantRequest/default?api-version=${CHANGE_TENANT_API}`;
  }
}
