import type { Client } from '@microsoft/microsoft-graph-client';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { parseRetryAfter } from '../cloud/http';
import type {
  DirectoryPerson,
  DirectoryRole,
  Organization,
  PlannedWrite,
  SubscribedSku,
} from '../domain/model';
import type { Office365DirectoryPort } from '../domain/ports';
import { DIRECTORY_ROLES } from '../domain/roles';
import { TenantlinkError, errorNameForStatus } from '../errors';
import { graphCall } from './graphClient';

/**
 * The Office 365 directory through Microsoft Graph v1.0 with the Global Administrator's delegated
 * token. Endpoints and shapes: https://learn.microsoft.com/graph/api/user-list,
 * …/organization-get, …/directoryrole-list-members, …/rbacapplication-list-roleassignments,
 * JSON batching https://learn.microsoft.com/graph/json-batching (at most 20 requests).
 */

/** Graph `user` fields tenantlink reads. */
const USER_FIELDS = 'id,displayName,userPrincipalName,mail,otherMails';
/** Sub-response statuses of a JSON batch that are sent again after their Retry-After. */
const RETRIED_IN_BATCH = new Set([429, 503, 504]);
/** Longest wait (s) before sending throttled sub-requests again, whatever Retry-After asks. */
const MAX_BATCH_WAIT_S = 120;

/** JSON batches sent at once by the lookups by id or email (each holds up to 20 requests). */
const BATCH_CONCURRENCY = 4;

interface GraphUser {
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
  mail?: string | null;
  otherMails?: string[] | null;
}

interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

const toPerson = (u: GraphUser): DirectoryPerson => ({
  id: u.id,
  displayName: u.displayName ?? u.userPrincipalName ?? u.id,
  userPrincipalName: u.userPrincipalName ?? '',
  mail: u.mail ?? null,
  otherMails: u.otherMails ?? [],
});

/** Escapes a value for an OData string literal (single quotes doubled). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Implements {@link Office365DirectoryPort} over a Graph client. */
export class GraphOffice365Directory implements Office365DirectoryPort {
  private readonly batchRetries: number;
  private readonly pause: (ms: number) => Promise<unknown>;

  /**
   * @param options.batchRetries how many times the throttled sub-requests of a JSON batch are sent
   *   again (default 3)
   * @param options.pause waits the given ms before they are (tests record it instead)
   */
  constructor(
    private readonly client: Client,
    options: { batchRetries?: number; pause?: (ms: number) => Promise<unknown> } = {},
  ) {
    this.batchRetries = options.batchRetries ?? 3;
    this.pause = options.pause ?? ((ms) => sleep(ms));
  }

  me(): Promise<DirectoryPerson> {
    return graphCall('GET /me', async () =>
      toPerson(await this.client.api('/me').select(USER_FIELDS).get()),
    );
  }

  organization(): Promise<Organization> {
    return graphCall('GET /organization', async () => {
      const page = (await this.client.api('/organization').get()) as GraphPage<{
        id: string;
        displayName: string;
        verifiedDomains: { name: string; isDefault: boolean }[];
      }>;
      const org = page.value[0];
      if (!org)
        throw new TenantlinkError('cloudNotFound', { detail: 'graph GET /organization: empty' });
      const domains = org.verifiedDomains ?? [];
      return {
        tenantId: org.id,
        displayName: org.displayName,
        defaultDomain: domains.find((d) => d.isDefault)?.name ?? domains[0]?.name ?? '',
        verifiedDomains: domains.map((d) => d.name),
      };
    });
  }

  myDirectoryRoles(): Promise<DirectoryRole[]> {
    // Transitive: a role held through a role-assignable group counts. The cast needs the advanced
    // query parameters (https://learn.microsoft.com/graph/api/user-list-transitivememberof).
    return graphCall('GET /me/transitiveMemberOf/microsoft.graph.directoryRole', async () => {
      const roles: DirectoryRole[] = [];
      let url: string | undefined =
        '/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true&$select=displayName,roleTemplateId';
      while (url) {
        const page = (await this.client
          .api(url)
          .header('ConsistencyLevel', 'eventual')
          .get()) as GraphPage<{ displayName: string; roleTemplateId: string }>;
        for (const r of page.value)
          roles.push({ displayName: r.displayName, roleTemplateId: r.roleTemplateId });
        url = page['@odata.nextLink'];
      }
      return roles;
    });
  }

  myEligibleRoleTemplateIds(): Promise<string[] | undefined> {
    const path =
      "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')";
    return graphCall(`GET ${path}`, async () => {
      try {
        const page = (await this.client.api(path).get()) as GraphPage<{
          roleDefinitionId: string;
        }>;
        return page.value.map((e) => e.roleDefinitionId);
      } catch (err) {
        // No Entra ID P2 / PIM, or no permission to read eligibilities: unknown, not "none".
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 403 || status === 400 || status === 404) return undefined;
        throw err;
      }
    });
  }

  subscribedSkus(): Promise<SubscribedSku[]> {
    return graphCall('GET /subscribedSkus', async () => {
      const page = (await this.client.api('/subscribedSkus').get()) as GraphPage<SubscribedSku>;
      return page.value.map((s) => ({
        skuPartNumber: s.skuPartNumber,
        capabilityStatus: s.capabilityStatus,
      }));
    });
  }

  usersWithEmail(email: string): Promise<DirectoryPerson[]> {
    const literal = odataString(email);
    const urls = [
      `/users?$select=${USER_FIELDS}&$filter=userPrincipalName eq ${literal}`,
      `/users?$select=${USER_FIELDS}&$filter=mail eq ${literal}`,
    ];
    return graphCall('POST /$batch (users by email)', async () => {
      const pages = await this.batchGet<GraphPage<GraphUser>>(urls);
      const byId = new Map<string, DirectoryPerson>();
      for (const page of pages) for (const u of page.value) byId.set(u.id, toPerson(u));
      return [...byId.values()];
    });
  }

  globalAdministrators(): Promise<DirectoryPerson[]> {
    const filter = `roleDefinitionId eq ${odataString(DIRECTORY_ROLES.GlobalAdministrator)}`;
    return graphCall('GET /roleManagement/directory/roleAssignments', async () => {
      const people: DirectoryPerson[] = [];
      let url: string | undefined =
        `/roleManagement/directory/roleAssignments?$filter=${filter}&$expand=principal`;
      while (url) {
        const page = (await this.client.api(url).get()) as GraphPage<{
          principal?: GraphUser & { '@odata.type'?: string };
        }>;
        for (const a of page.value) {
          if (
            a.principal &&
            (a.principal['@odata.type'] ?? '#microsoft.graph.user') === '#microsoft.graph.user'
          ) {
            people.push(toPerson(a.principal));
          }
        }
        url = page['@odata.nextLink'];
      }
      return people;
    });
  }

  listUsers(options: {
    search?: string;
    pageSize: number;
    cursor?: string;
  }): Promise<{ users: DirectoryPerson[]; cursor?: string }> {
    return graphCall('GET /users', async () => {
      let request;
      if (options.cursor) {
        request = this.client.api(options.cursor);
      } else {
        request = this.client
          .api('/users')
          .select(USER_FIELDS)
          .top(Math.min(options.pageSize, 999));
        if (options.search) {
          request = request
            .header('ConsistencyLevel', 'eventual')
            .search(`"displayName:${options.search.replace(/"/g, '')}"`);
        }
      }
      const page = (await request.get()) as GraphPage<GraphUser>;
      return { users: page.value.map(toPerson), cursor: page['@odata.nextLink'] };
    });
  }

  usersById(ids: readonly string[]): Promise<DirectoryPerson[]> {
    return graphCall('POST /$batch (users by id)', () => this.usersWhereIn([['id', ids]]));
  }

  usersWithEmails(emails: readonly string[]): Promise<DirectoryPerson[]> {
    const unique = [...new Set(emails.map((e) => e.toLowerCase()))];
    return graphCall('POST /$batch (users by email)', async () => {
      const byId = new Map<string, DirectoryPerson>();
      const found = await this.usersWhereIn([
        ['userPrincipalName', unique],
        ['mail', unique],
      ]);
      for (const person of found) byId.set(person.id, person);
      return [...byId.values()];
    });
  }

  inviteGuest(email: string, redirectUrl: string): Promise<DirectoryPerson> {
    return graphCall('POST /invitations', async () => {
      const body = (await this.client.api('/invitations').post({
        invitedUserEmailAddress: email,
        inviteRedirectUrl: redirectUrl,
        sendInvitationMessage: true,
      })) as { invitedUser: { id: string }; invitedUserDisplayName?: string };
      return {
        id: body.invitedUser.id,
        displayName: body.invitedUserDisplayName ?? email,
        userPrincipalName: email,
        mail: email,
        otherMails: [email],
      };
    });
  }

  planInvite(email: string): PlannedWrite {
    return { method: 'POST', path: '/invitations', summary: `invite ${email}` };
  }

  /**
   * Users whose property is one of the given values, for each (property, values) pair:
   * `prop in (…)` takes up to 15 values per request and a JSON batch up to 20 requests, so 300
   * values cost one call.
   */
  private async usersWhereIn(
    lookups: readonly (readonly [string, readonly string[]])[],
  ): Promise<DirectoryPerson[]> {
    const urls: string[] = [];
    for (const [prop, values] of lookups) {
      for (let i = 0; i < values.length; i += 15) {
        const chunk = values
          .slice(i, i + 15)
          .map(odataString)
          .join(',');
        urls.push(`/users?$select=${USER_FIELDS}&$filter=${prop} in (${chunk})`);
      }
    }
    const batches: string[][] = [];
    for (let i = 0; i < urls.length; i += 20) batches.push(urls.slice(i, i + 20));
    // A few batches at a time: thousands of addresses take seconds one batch after the other.
    const limit = pLimit(BATCH_CONCURRENCY);
    const pages = await Promise.all(
      batches.map((b) => limit(() => this.batchGet<GraphPage<GraphUser>>(b))),
    );
    return pages.flat().flatMap((page) => page.value.map(toPerson));
  }

  /**
   * Sends up to 20 GET requests in one JSON batch and returns their bodies in order. Graph
   * throttles the sub-requests of a batch one by one: a sub-response 429 (or 503/504) carries its
   * own Retry-After, and only those sub-requests are sent again, in a new batch, after the longest
   * Retry-After asked (https://learn.microsoft.com/graph/throttling#throttling-and-batching), up to
   * `batchRetries` times.
   * @throws TenantlinkError for the first sub-request that failed otherwise, or still throttled
   */
  private async batchGet<T>(urls: readonly string[]): Promise<T[]> {
    if (urls.length > 20)
      throw new TenantlinkError('internal', { detail: 'a Graph batch holds at most 20 requests' });
    const results = new Array<T>(urls.length);
    let pending = urls.map((url, index) => ({ url, index }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      const body = {
        requests: pending.map((p, k) => ({ id: String(k + 1), method: 'GET', url: p.url })),
      };
      const batch = (await this.client.api('/$batch').post(body)) as {
        responses: {
          id: string;
          status: number;
          headers?: Record<string, string>;
          body: unknown;
        }[];
      };
      const again: typeof pending = [];
      let waitSeconds = 0;
      for (const [k, p] of pending.entries()) {
        const sub = batch.responses.find((r) => r.id === String(k + 1));
        if (!sub)
          throw new TenantlinkError('cloudUnavailable', {
            detail: `graph $batch: response ${k + 1} missing`,
          });
        const retryAfter = parseRetryAfter(
          sub.headers?.['Retry-After'] ?? sub.headers?.['retry-after'],
        );
        if (RETRIED_IN_BATCH.has(sub.status) && attempt < this.batchRetries) {
          again.push(p);
          waitSeconds = Math.max(waitSeconds, retryAfter ?? 1);
        } else if (sub.status >= 400) {
          const code = (sub.body as { error?: { code?: string } } | undefined)?.error?.code;
          throw new TenantlinkError(errorNameForStatus(sub.status, code), {
            detail: `graph $batch ${p.url.split('?')[0]} → ${sub.status} ${code ?? ''}`,
            serviceCode: code,
            retryAfterSeconds: retryAfter,
          });
        } else results[p.index] = sub.body as T;
      }
      if (again.length > 0) await this.pause(Math.min(waitSeconds, MAX_BATCH_WAIT_S) * 1000);
      pending = again;
    }
    return results;
  }
}
