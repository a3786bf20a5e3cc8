import type { Client } from '@microsoft/microsoft-graph-client';
import { GLOBAL_ADMINISTRATOR_ROLE_ID, type ApproverSource } from '../domain/approval';
import { graphCall } from './graphClient';
import { odataString } from './office365Directory';

/**
 * Who may approve a directory change (issue 29), asked of Microsoft Graph at each click with the
 * Office 365 admin connection's token (the initiator's; the approver need not sign in): least
 * privilege, as that connection's `User.Read.All` and `RoleManagement.Read.Directory` are there
 * already and only `GroupMember.Read.All` is added (src/auth/permissions.ts).
 * - a group's member: `POST /users/{id}/checkMemberGroups`
 *   (https://learn.microsoft.com/graph/api/user-checkmembergroups; transitive);
 * - a Global Administrator: `GET /roleManagement/directory/roleAssignments?$filter=roleDefinitionId
 *   eq '<Global Administrator>'` (https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments),
 *   held by the user directly or through a role-assignable group
 *   (https://learn.microsoft.com/entra/identity/role-based-access-control/groups-concept), the
 *   latter checked with checkMemberGroups.
 *
 * And who they are (their object ids, which the team's roster maps to the Teams user ids that
 * the approval card's Universal Actions `refresh.userIds` names: src/bot/teamRoster.ts): a group's users through `GET /groups/{id}/transitiveMembers`
 * (https://learn.microsoft.com/graph/api/group-list-transitivemembers; nested groups' members
 * included, 100 a page, `$top` up to 999), the Global Administrators as the role's holders (users,
 * and the users of holder groups). The group's display name (`GET /groups/{id}`,
 * https://learn.microsoft.com/graph/api/group-get) is read when a policy is saved.
 */

/** The Graph answers this module reads. */
interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

/** Most group ids one checkMemberGroups call takes (the API's limit). */
const CHECK_LIMIT = 20;

/** Whether a user is an approver under a policy's approver source. */
export interface ApproverDirectoryPort {
  /**
   * @param objectId the clicking user's Entra object id in the policy's tenant
   * @throws TenantlinkError mapped from Graph (a user not in the directory is not an approver)
   */
  isApprover(objectId: string, source: ApproverSource): Promise<boolean>;
  /**
   * The Entra object ids of the users who are approvers now (lower case, each once, in Graph's
   * order), at most `limit` of them.
   * @throws TenantlinkError mapped from Graph
   */
  approverIds(source: ApproverSource, limit: number): Promise<string[]>;
  /**
   * A group's display name, or undefined when the directory has no such group (Graph's 404).
   * @throws TenantlinkError mapped from Graph
   */
  groupName(groupId: string): Promise<string | undefined>;
}

/** {@link ApproverDirectoryPort} over a Graph client. */
export class GraphApproverDirectory implements ApproverDirectoryPort {
  constructor(private readonly client: Client) {}

  async isApprover(objectId: string, source: ApproverSource): Promise<boolean> {
    if (source.kind === 'group')
      return (await this.memberOf(objectId, [source.groupId])).length > 0;
    const holders = await this.globalAdministratorHolders();
    if (holders.includes(objectId.toLowerCase())) return true;
    // The other holders may be role-assignable groups (a user is never a member of a user).
    const others = holders.filter((h) => h !== objectId.toLowerCase());
    for (let i = 0; i < others.length; i += CHECK_LIMIT)
      if ((await this.memberOf(objectId, others.slice(i, i + CHECK_LIMIT))).length > 0) return true;
    return false;
  }

  async approverIds(source: ApproverSource, limit: number): Promise<string[]> {
    const ids = new Set<string>();
    const holders =
      source.kind === 'group' ? [source.groupId] : await this.globalAdministratorHolders();
    for (const holder of holders) {
      if (ids.size >= limit) break;
      // A holder of the role may be a user or a role-assignable group; a group id is never a user's.
      const members = await this.groupUsers(holder, limit - ids.size);
      if (members === undefined) ids.add(holder.toLowerCase());
      else members.forEach((m) => ids.add(m));
    }
    return [...ids].slice(0, limit);
  }

  groupName(groupId: string): Promise<string | undefined> {
    return graphCall('GET /groups/{id}', async () => {
      try {
        const group = (await this.client
          .api(`/groups/${encodeURIComponent(groupId)}`)
          .select(['id', 'displayName'])
          .get()) as { displayName?: string | null };
        return group.displayName ?? undefined;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    });
  }

  /**
   * The user ids (lower case) among a group's transitive members, up to `limit`; undefined when
   * there is no such group (Graph's 404: the id is a user's).
   */
  private groupUsers(groupId: string, limit: number): Promise<string[] | undefined> {
    return graphCall('GET /groups/{id}/transitiveMembers', async () => {
      const ids: string[] = [];
      let url: string | undefined =
        `/groups/${encodeURIComponent(groupId)}/transitiveMembers?$select=id&$top=999`;
      try {
        while (url && ids.length < limit) {
          const page = (await this.client.api(url).get()) as GraphPage<{
            '@odata.type'?: string;
            id: string;
          }>;
          for (const m of page.value)
            if (m['@odata.type'] === '#microsoft.graph.user') ids.push(m.id.toLowerCase());
          url = page['@odata.nextLink'];
        }
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
      return ids.slice(0, limit);
    });
  }

  /**
   * Of `groupIds` (at most 20), those the user is a member of; none for a user not in the
   * directory (Graph's 404).
   */
  private memberOf(objectId: string, groupIds: readonly string[]): Promise<string[]> {
    return graphCall('POST /users/{id}/checkMemberGroups', async () => {
      try {
        const page = (await this.client
          .api(`/users/${encodeURIComponent(objectId)}/checkMemberGroups`)
          .post({ groupIds })) as GraphPage<string>;
        return page.value.map((g) => g.toLowerCase());
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return [];
        throw err;
      }
    });
  }

  /** Principal ids (lower case) holding Global Administrator at the directory scope. */
  private globalAdministratorHolders(): Promise<string[]> {
    const filter = `roleDefinitionId eq ${odataString(GLOBAL_ADMINISTRATOR_ROLE_ID)}`;
    return graphCall('GET /roleManagement/directory/roleAssignments', async () => {
      const ids: string[] = [];
      let url: string | undefined = `/roleManagement/directory/roleAssignments?$filter=${filter}`;
      while (url) {
        const page = (await this.client.api(url).get()) as GraphPage<{ principalId: string }>;
        ids.push(...page.value.map((a) => a.principalId.toLowerCase()));
        url = page['@odata.nextLink'];
      }
      return [...new Set(ids)];
    });
  }
}
