import { v5 as uuidv5 } from 'uuid';
import { DIRECTORY_ROLES } from '../domain/roles';
import type { SandboxContext } from './context';
import { graphError } from './faults';
import { compileFilter, compileSearch, page, project, type Row } from './odata';
import { Router, type Handler, type SandboxRequest, type SandboxResponse } from './router';
import {
  BASIC_PROFILE,
  FULL_PROFILE_PERMISSIONS,
  GRAPH_OPERATIONS,
  type GraphOperation,
  type GraphOperationName,
} from '../auth/permissions';
import { rolesOfUser, type TenantRecord, type UserRecord } from './state';
import type { Caller } from './tokens';

/**
 * The Microsoft Graph v1.0 subset of the sandbox cloud, below `/graph/v1.0`. Shapes follow the
 * Graph reference: user (https://learn.microsoft.com/graph/api/resources/user), organization,
 * directoryRole, unifiedRoleAssignment (…/rbacapplication-list-roleassignments), invitation
 * (…/invitation-post), subscribedSku, and JSON batching (https://learn.microsoft.com/graph/json-batching).
 * Every call needs a sandbox token for Graph; the directory is the token's `tid`.
 */

/** Properties Graph returns for a user when there is no `$select` (Graph v1.0 default set). */
const USER_DEFAULTS = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
];

const ROLE_NAMES: Record<string, { displayName: string; description: string }> = {
  [DIRECTORY_ROLES.GlobalAdministrator]: {
    displayName: 'Global Administrator',
    description:
      'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
  },
  [DIRECTORY_ROLES.BillingAdministrator]: {
    displayName: 'Billing Administrator',
    description: 'Can perform common billing related tasks like updating payment information.',
  },
};

/** Namespace for the sandbox's stable directory-role object ids. */
const ROLE_OBJECT_NAMESPACE = '6f1b3c8e-2a4d-4e0f-9b7a-3c5d8e1f2a40';

const MAX_BATCH = 20;

type GraphHandler = (
  req: SandboxRequest,
  params: Record<string, string>,
  who: { caller: Caller; tenant: TenantRecord },
) => SandboxResponse | Promise<SandboxResponse>;

const error = (status: number, code: string, message: string): SandboxResponse => ({
  status,
  body: graphError(code, message),
});

/** The tenant's user whose id or UPN is `id` (case-insensitive), as `/users/{id}` resolves it. */
function userByIdOrUpn(tenant: TenantRecord, id: string | undefined): UserRecord | undefined {
  const key = (id ?? '').toLowerCase();
  return tenant.users.find((u) => u.id === key || u.userPrincipalName.toLowerCase() === key);
}

/** Graph's 404 for a `/users/{id}` that names no user. */
const userNotFound = (id: string | undefined): SandboxResponse =>
  error(
    404,
    'Request_ResourceNotFound',
    `Resource '${id ?? ''}' does not exist or one of its queried reference-property objects are not present.`,
  );

/**
 * A user as Graph serialises it to `caller`: the full profile with `User.Read.All` (or a higher
 * permission) or for the caller itself, else only the basic profile that `User.ReadBasic.All`
 * returns (https://learn.microsoft.com/graph/permissions-reference#userreadbasicall).
 */
export function userJsonFor(u: UserRecord, caller: Caller): Row {
  const full = userJson(u);
  if (u.id === caller.objectId) return full;
  if (caller.scopes.some((s) => (FULL_PROFILE_PERMISSIONS as readonly string[]).includes(s)))
    return full;
  return Object.fromEntries(
    Object.entries(full).filter(([k]) => (BASIC_PROFILE as readonly string[]).includes(k)),
  );
}

/** A user as Graph serialises it with the full profile. */
export function userJson(u: UserRecord): Row {
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    otherMails: u.otherMails,
    userType: u.userType,
  };
}

/**
 * Builds the Graph routes.
 * @param dispatch runs one request through the Graph pipeline (faults, auth, routes): `$batch`
 *   uses it for each sub-request
 */
/** User properties that lookups by value are answered for from an index. */
const INDEXED = new Set(['id', 'userPrincipalName', 'mail']);

export function graphRoutes(
  ctx: SandboxContext,
  dispatch: (req: SandboxRequest) => Promise<SandboxResponse>,
): Router {
  /**
   * Wraps a handler with the token check and the permission check of its operation: a token
   * with none of the delegated permissions the docs accept for it is answered 403
   * `Authorization_RequestDenied`, as Graph answers it (src/auth/permissions.ts).
   */
  const authed =
    (handler: GraphHandler, operation?: GraphOperationName): Handler =>
    async (req, params) => {
      const caller = await ctx.tokens.verify(req.headers.authorization, 'graph');
      if (!caller)
        return error(
          401,
          'InvalidAuthenticationToken',
          'Access token is empty, expired or not valid.',
        );
      const accepted: readonly string[] = operation ? GRAPH_OPERATIONS[operation].permissions : [];
      const alongside: readonly string[] | undefined = operation
        ? (GRAPH_OPERATIONS[operation] as GraphOperation).alongside
        : undefined;
      if (
        operation &&
        (!caller.scopes.some((s) => accepted.includes(s)) ||
          (alongside && !caller.scopes.some((s) => alongside.includes(s))))
      )
        return error(
          403,
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        );
      const tenant = ctx.state.tenant(caller.tenantId);
      if (!tenant) return error(401, 'InvalidAuthenticationToken', 'Unknown tenant.');
      return handler(req, params, { caller, tenant });
    };
  const base = (): string => `${ctx.url()}/graph/v1.0`;

  /** Users of a tenant by lower-case id, UPN or mail; rebuilt when users were added. */
  const indexes = new WeakMap<
    TenantRecord,
    {
      size: number;
      byProp: Map<string, Map<string, UserRecord[]>>;
      position: Map<UserRecord, number>;
    }
  >();
  const indexedUsers = (
    tenant: TenantRecord,
    prop: string,
    values: readonly string[],
  ): UserRecord[] => {
    let index = indexes.get(tenant);
    if (!index || index.size !== tenant.users.length) {
      const byProp = new Map<string, Map<string, UserRecord[]>>();
      for (const p of INDEXED) {
        const map = new Map<string, UserRecord[]>();
        for (const u of tenant.users) {
          const v = (u as unknown as Record<string, unknown>)[p];
          if (typeof v !== 'string') continue;
          const key = v.toLowerCase();
          map.set(key, [...(map.get(key) ?? []), u]);
        }
        byProp.set(p, map);
      }
      index = {
        size: tenant.users.length,
        byProp,
        position: new Map(tenant.users.map((u, i) => [u, i])),
      };
      indexes.set(tenant, index);
    }
    const map = index.byProp.get(prop)!;
    const found = new Set<UserRecord>();
    for (const v of values) for (const u of map.get(v) ?? []) found.add(u);
    // Keep the tenant's order, as a scan would.
    return [...found].sort((a, b) => index!.position.get(a)! - index!.position.get(b)!);
  };

  const listUsers: GraphHandler = (req, _p, { caller, tenant }) => {
    const q = req.url.searchParams;
    const search = q.get('$search');
    if (search && req.headers.consistencylevel?.toLowerCase() !== 'eventual') {
      return error(
        400,
        'Request_UnsupportedQuery',
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      );
    }
    const filter = compileFilter(q.get('$filter'));
    if (!filter.ok) return error(400, 'Request_UnsupportedQuery', filter.message);
    const searcher = compileSearch(search);
    if (!searcher.ok) return error(400, 'Request_UnsupportedQuery', searcher.message);
    const top = Math.min(Math.max(Number(q.get('$top') ?? 100) || 100, 1), 999);
    // Filter on the records (their fields are the Graph names), serialise only the page. A
    // lookup by id, UPN or mail is answered from an index, as Graph answers it.
    const candidates =
      filter.lookup && INDEXED.has(filter.lookup.prop)
        ? indexedUsers(tenant, filter.lookup.prop, filter.lookup.values)
        : tenant.users;
    const rows = candidates.filter(
      (u) => filter.test(u as unknown as Row) && searcher.test(u as unknown as Row),
    );
    const { items, nextSkip } = page(rows, top, q.get('$skiptoken'));
    const body: Record<string, unknown> = {
      '@odata.context': `${base()}/$metadata#users`,
      value: items.map((u) => project(userJsonFor(u, caller), q.get('$select'), USER_DEFAULTS)),
    };
    if (q.get('$count') === 'true') body['@odata.count'] = rows.length;
    if (nextSkip) {
      const next = new URL(`${base()}/users`);
      for (const [k, v] of q) if (k !== '$skiptoken') next.searchParams.set(k, v);
      next.searchParams.set('$skiptoken', nextSkip);
      body['@odata.nextLink'] = next.toString();
    }
    return { status: 200, body };
  };

  const me: GraphHandler = (req, _p, { caller, tenant }) => {
    const user = tenant.users.find((u) => u.id === caller.objectId);
    if (!user)
      return error(
        404,
        'Request_ResourceNotFound',
        `Resource '${caller.objectId}' does not exist.`,
      );
    return {
      status: 200,
      body: {
        '@odata.context': `${base()}/$metadata#users/$entity`,
        ...project(userJsonFor(user, caller), req.url.searchParams.get('$select'), USER_DEFAULTS),
      },
    };
  };

  const userById: GraphHandler = (req, p, { caller, tenant }) => {
    const user = userByIdOrUpn(tenant, p.id);
    if (!user) return userNotFound(p.id);
    return {
      status: 200,
      body: project(userJsonFor(user, caller), req.url.searchParams.get('$select'), USER_DEFAULTS),
    };
  };

  /**
   * `POST /users/{id}/checkMemberGroups` (https://learn.microsoft.com/graph/api/user-checkmembergroups):
   * of the body's `groupIds` (at most 20), those the user is a member of, transitively (a group
   * member of a group); 404 `Request_ResourceNotFound` for an unknown user.
   */
  const checkMemberGroups: GraphHandler = (req, p, { tenant }) => {
    const body = (req.body ?? {}) as { groupIds?: unknown };
    const ids = body.groupIds;
    if (!Array.isArray(ids) || ids.some((g) => typeof g !== 'string'))
      return error(400, 'Request_BadRequest', 'groupIds must be an array of strings.');
    if (ids.length > 20)
      return error(400, 'Request_BadRequest', 'At most 20 groups can be checked per request.');
    const user = userByIdOrUpn(tenant, p.id);
    if (!user) return userNotFound(p.id);
    const groups = tenant.groups ?? [];
    const memberOf = new Set<string>();
    let frontier = [user.id];
    while (frontier.length > 0) {
      const next = groups
        .filter((g) => !memberOf.has(g.id) && g.members.some((m) => frontier.includes(m)))
        .map((g) => g.id);
      next.forEach((g) => memberOf.add(g));
      frontier = next;
    }
    return {
      status: 200,
      body: {
        '@odata.context': `${base()}/$metadata#Collection(Edm.String)`,
        value: (ids as string[]).filter((g) => memberOf.has(g.toLowerCase())),
      },
    };
  };

  /**
   * `GET /groups/{id}` (https://learn.microsoft.com/graph/api/group-get): the group's id and
   * displayName (the sandbox's groups have no other property); 404 `Request_ResourceNotFound`
   * for an unknown group.
   */
  const groupById: GraphHandler = (req, p, { tenant }) => {
    const group = (tenant.groups ?? []).find((g) => g.id === (p.id ?? '').toLowerCase());
    if (!group)
      return error(404, 'Request_ResourceNotFound', `Resource '${p.id ?? ''}' does not exist.`);
    return {
      status: 200,
      body: {
        '@odata.context': `${base()}/$metadata#groups/$entity`,
        ...project(
          { id: group.id, displayName: group.displayName },
          req.url.searchParams.get('$select'),
          ['id', 'displayName'],
        ),
      },
    };
  };

  /**
   * `GET /groups/{id}/transitiveMembers`
   * (https://learn.microsoft.com/graph/api/group-list-transitivemembers): a flat list of the
   * group's members, nested groups' members included, each with its `@odata.type` (users and
   * groups here); 100 a page by default, `$top` up to 999, the rest behind `@odata.nextLink`.
   */
  const groupTransitiveMembers: GraphHandler = (req, p, { caller, tenant }) => {
    const groups = tenant.groups ?? [];
    const root = groups.find((g) => g.id === (p.id ?? '').toLowerCase());
    if (!root)
      return error(404, 'Request_ResourceNotFound', `Resource '${p.id ?? ''}' does not exist.`);
    const seen = new Set<string>();
    const queue = [...root.members];
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(...(groups.find((g) => g.id === id)?.members ?? []));
    }
    const rows: Row[] = [...seen].flatMap((id): Row[] => {
      const user = tenant.users.find((u) => u.id === id);
      if (user) return [{ '@odata.type': '#microsoft.graph.user', ...userJsonFor(user, caller) }];
      const group = groups.find((g) => g.id === id);
      return group
        ? [
            {
              '@odata.type': '#microsoft.graph.group',
              id: group.id,
              displayName: group.displayName,
            },
          ]
        : [];
    });
    const q = req.url.searchParams;
    const top = Math.min(Math.max(Number(q.get('$top') ?? 100) || 100, 1), 999);
    const { items, nextSkip } = page(rows, top, q.get('$skiptoken'));
    const body: Record<string, unknown> = {
      '@odata.context': `${base()}/$metadata#directoryObjects`,
      value: items.map((r) => ({
        '@odata.type': r['@odata.type'],
        ...project(r, q.get('$select'), ['id', 'displayName']),
      })),
    };
    if (nextSkip) {
      const next = new URL(`${base()}/groups/${root.id}/transitiveMembers`);
      for (const [k, v] of q) if (k !== '$skiptoken') next.searchParams.set(k, v);
      next.searchParams.set('$skiptoken', nextSkip);
      body['@odata.nextLink'] = next.toString();
    }
    return { status: 200, body };
  };

  const organization: GraphHandler = (_req, _p, { tenant }) => ({
    status: 200,
    body: {
      '@odata.context': `${base()}/$metadata#organization`,
      value: [
        {
          id: tenant.id,
          displayName: tenant.displayName,
          tenantType: 'AAD',
          verifiedDomains: tenant.domains.map((name, i) => ({
            capabilities: tenant.hasOffice365 ? 'Email, OfficeCommunicationsOnline' : 'None',
            isDefault: i === tenant.domains.length - 1,
            isInitial: i === 0,
            name,
            type: 'Managed',
          })),
        },
      ],
    },
  });

  /**
   * `/me/memberOf/microsoft.graph.directoryRole` (direct) and
   * `/me/transitiveMemberOf/microsoft.graph.directoryRole` (also through role-assignable groups).
   * An OData cast on a directory-object collection is an advanced query: Graph requires the
   * `ConsistencyLevel: eventual` header and `$count=true`
   * (https://learn.microsoft.com/graph/api/user-list-transitivememberof,
   * https://learn.microsoft.com/graph/aad-advanced-queries) and refuses the request without them.
   */
  const myDirectoryRoles =
    (transitive: boolean): GraphHandler =>
    (req, _p, { caller, tenant }) => {
      if (
        req.headers.consistencylevel?.toLowerCase() !== 'eventual' ||
        req.url.searchParams.get('$count') !== 'true'
      )
        return error(
          400,
          'Request_UnsupportedQuery',
          "The OData cast on this collection is an advanced query: it needs the 'ConsistencyLevel: eventual' header and $count=true.",
        );
      const templates = transitive
        ? rolesOfUser(tenant, caller.objectId)
        : (tenant.directoryRoles[caller.objectId] ?? []);
      return {
        status: 200,
        body: {
          '@odata.context': `${base()}/$metadata#directoryObjects/microsoft.graph.directoryRole`,
          '@odata.count': templates.length,
          value: templates.map((templateId) => ({
            '@odata.type': '#microsoft.graph.directoryRole',
            id: uuidv5(`${tenant.id}|${templateId}`, ROLE_OBJECT_NAMESPACE),
            deletedDateTime: null,
            description: ROLE_NAMES[templateId]?.description ?? '',
            displayName: ROLE_NAMES[templateId]?.displayName ?? templateId,
            roleTemplateId: templateId,
          })),
        },
      };
    };

  /**
   * `/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')`:
   * the caller's PIM eligibilities (unifiedRoleEligibilityScheduleInstance,
   * https://learn.microsoft.com/graph/api/unifiedroleeligibilityscheduleinstance-filterbycurrentuser).
   */
  const myEligibilities: GraphHandler = (_req, _p, { caller, tenant }) => ({
    status: 200,
    body: {
      '@odata.context': `${base()}/$metadata#Collection(unifiedRoleEligibilityScheduleInstance)`,
      value: (tenant.roleEligibilities?.[caller.objectId] ?? []).map((roleDefinitionId) => ({
        id: uuidv5(`${tenant.id}|${caller.objectId}|${roleDefinitionId}`, ROLE_OBJECT_NAMESPACE),
        principalId: caller.objectId,
        roleDefinitionId,
        directoryScopeId: '/',
        appScopeId: null,
        startDateTime: '2026-01-01T00:00:00Z',
        endDateTime: null,
        memberType: 'Direct',
        roleEligibilityScheduleId: uuidv5(
          `${tenant.id}|${caller.objectId}|${roleDefinitionId}|schedule`,
          ROLE_OBJECT_NAMESPACE,
        ),
      })),
    },
  });

  const roleAssignments: GraphHandler = (req, _p, { caller, tenant }) => {
    const q = req.url.searchParams;
    if (!q.get('$filter'))
      return error(400, 'BadRequest', 'A filter on principalId or roleDefinitionId is required.');
    const filter = compileFilter(q.get('$filter'));
    if (!filter.ok) return error(400, 'BadRequest', filter.message);
    const expand = q.get('$expand') === 'principal';
    const rows = Object.entries(tenant.directoryRoles).flatMap(([principalId, templates]) =>
      templates.map((roleDefinitionId) => ({
        id: `${roleDefinitionId}_${principalId}`,
        principalId,
        roleDefinitionId,
        directoryScopeId: '/',
      })),
    );
    const value = rows.filter(filter.test).map((a) => {
      if (!expand) return a;
      const user = tenant.users.find((u) => u.id === a.principalId);
      return {
        ...a,
        principal: user
          ? { '@odata.type': '#microsoft.graph.user', ...userJsonFor(user, caller) }
          : { '@odata.type': '#microsoft.graph.servicePrincipal', id: a.principalId },
      };
    });
    return {
      status: 200,
      body: {
        '@odata.context': `${base()}/$metadata#roleManagement/directory/roleAssignments`,
        value,
      },
    };
  };

  const invitations: GraphHandler = (req, _p, { caller, tenant }) => {
    const body = (req.body ?? {}) as {
      invitedUserEmailAddress?: unknown;
      inviteRedirectUrl?: unknown;
    };
    if (
      typeof body.invitedUserEmailAddress !== 'string' ||
      !/^[^@\s]+@[^@\s]+$/.test(body.invitedUserEmailAddress)
    )
      return error(400, 'BadRequest', 'The invited user email address is invalid.');
    if (typeof body.inviteRedirectUrl !== 'string')
      return error(400, 'BadRequest', 'The inviteRedirectUrl is required.');
    if (!rolesOfUser(tenant, caller.objectId).includes(DIRECTORY_ROLES.GlobalAdministrator))
      return error(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    const { user, invitation } = ctx.state.invite(tenant, body.invitedUserEmailAddress);
    return {
      status: 201,
      body: {
        '@odata.context': `${base()}/$metadata#invitations/$entity`,
        id: invitation.id,
        inviteRedeemUrl: `${ctx.url()}/redeem?rd=${invitation.id}`,
        invitedUserDisplayName: user.displayName,
        invitedUserEmailAddress: invitation.invitedUserEmailAddress,
        invitedUserType: 'Guest',
        sendInvitationMessage: false,
        inviteRedirectUrl: body.inviteRedirectUrl,
        status: 'PendingAcceptance',
        invitedUser: { id: user.id },
      },
    };
  };

  const subscribedSkus: GraphHandler = (_req, _p, { tenant }) => ({
    status: 200,
    body: {
      '@odata.context': `${base()}/$metadata#subscribedSkus`,
      value: tenant.hasOffice365
        ? [
            {
              accountName: tenant.displayName,
              accountId: tenant.id,
              appliesTo: 'User',
              capabilityStatus: 'Enabled',
              consumedUnits: tenant.users.filter((u) => u.userType === 'Member').length,
              id: `${tenant.id}_6fd2c87f-b296-42f0-b197-1e91e994b900`,
              prepaidUnits: { enabled: 25, suspended: 0, warning: 0, lockedOut: 0 },
              servicePlans: [],
              skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
              skuPartNumber: 'ENTERPRISEPACK',
            },
          ]
        : [],
    },
  });

  const batch: Handler = async (req) => {
    const body = (req.body ?? {}) as { requests?: unknown };
    const requests = Array.isArray(body.requests)
      ? (body.requests as Record<string, unknown>[])
      : undefined;
    if (!requests || requests.length === 0)
      return error(400, 'BadRequest', 'Invalid batch payload format.');
    if (requests.length > MAX_BATCH)
      return error(
        400,
        'BadRequest',
        `Too many requests in the batch. The maximum is ${MAX_BATCH}.`,
      );
    const responses = await Promise.all(
      requests.map(async (sub) => {
        const id = String(sub.id ?? '');
        const url = typeof sub.url === 'string' ? sub.url : '';
        if (!id || !url.startsWith('/'))
          return {
            id,
            status: 400,
            body: graphError(
              'BadRequest',
              'Invalid batch request: id and a relative url are required.',
            ),
          };
        const subHeaders = (sub.headers ?? {}) as Record<string, string>;
        const headers: Record<string, string | undefined> = {
          authorization: req.headers.authorization,
        };
        for (const [k, v] of Object.entries(subHeaders)) headers[k.toLowerCase()] = v;
        const full = new URL(`${base()}${url}`);
        const res = await dispatch({
          method: String(sub.method ?? 'GET').toUpperCase(),
          url: full,
          path: full.pathname.slice('/graph/v1.0'.length) || '/',
          headers,
          body: sub.body,
        });
        return {
          id,
          status: res.status,
          headers: { 'content-type': 'application/json', ...(res.headers ?? {}) },
          body: res.body,
        };
      }),
    );
    return { status: 200, body: { responses } };
  };

  return new Router()
    .add('GET', '/me', authed(me, 'me'))
    .add(
      'GET',
      '/me/memberOf/microsoft.graph.directoryRole',
      authed(myDirectoryRoles(false), 'myDirectMemberOf'),
    )
    .add(
      'GET',
      '/me/transitiveMemberOf/microsoft.graph.directoryRole',
      authed(myDirectoryRoles(true), 'myDirectoryRoles'),
    )
    .add(
      'GET',
      "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
      authed(myEligibilities, 'myEligibleRoles'),
    )
    .add('GET', '/organization', authed(organization, 'organization'))
    .add('GET', '/users', authed(listUsers, 'listUsers'))
    .add('GET', '/users/:id', authed(userById, 'getUser'))
    .add(
      'GET',
      '/roleManagement/directory/roleAssignments',
      authed(roleAssignments, 'roleAssignments'),
    )
    .add('POST', '/invitations', authed(invitations, 'invitations'))
    .add('GET', '/subscribedSkus', authed(subscribedSkus, 'subscribedSkus'))
    .add('POST', '/users/:id/checkMemberGroups', authed(checkMemberGroups, 'checkMemberGroups'))
    .add('GET', '/groups/:id', authed(groupById, 'getGroup'))
    .add(
      'GET',
      '/groups/:id/transitiveMembers',
      authed(groupTransitiveMembers, 'groupTransitiveMembers'),
    )
    .add('POST', '/$batch', batch);
}
