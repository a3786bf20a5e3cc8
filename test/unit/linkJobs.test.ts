import type { TokenCredential } from '@azure/core-auth';
import { MemoryStorage } from 'botbuilder';
import pino from 'pino';
import type { SignInKind, TokenSource } from '../../src/auth/signIn';
import type {
  AzureSubscription,
  CustomRoleDefinition,
  DirectoryPerson,
  RoleAssignment,
  RoleGrant,
} from '../../src/domain/model';
import type {
  AzureManagementPort,
  KeyVaultPort,
  KeyVaultState,
  Office365DirectoryPort,
  ResourceInventoryPort,
} from '../../src/domain/ports';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { TenantlinkError } from '../../src/errors';
import { giveAccessJob } from '../../src/link/accessJob';
import { reviewImpactJob } from '../../src/link/impactJob';
import { fixKeyVaultsJob } from '../../src/link/keyVaultJob';
import type { CloudClients } from '../../src/link/ports';
import { LinkProcedure } from '../../src/link/procedure';
import { ChangeRecordStore } from '../../src/state/changeRecords';
import { SubscriptionLockStore } from '../../src/state/subscriptionLocks';

/**
 * The link procedure and its jobs on fake clouds (the fast layer of test/dialogs, which run them
 * through the whole app over HTTP): each job is called through its public function with a
 * procedure whose clients are fakes chosen by the account that signs in (`azure` = the
 * subscription's Owner today, `office365` = the Office 365 admin), and its outcome and the change
 * record it leaves are checked.
 */

const SUB = '4a1e2b3c-0000-4000-8000-000000000042';
const SCOPE = `/subscriptions/${SUB}`;
const OLD = 'old-directory';
const NEW = 'new-directory';
const FLOW = 'flow-jobs';
const USER = 'teams-kelley';
const flow = { flowId: FLOW, initiatorId: 'kelley', subscriptionId: SUB };

/** The fakes, by the sign-in whose token reaches them. */
interface Clouds {
  readonly azure: Partial<Record<SignInKind, Partial<AzureManagementPort>>>;
  readonly directory: Partial<Record<SignInKind, Partial<Office365DirectoryPort>>>;
  readonly inventory?: Partial<ResourceInventoryPort>;
  readonly keyVaults?: Partial<KeyVaultPort>;
}

/** A credential that names the sign-in it stands for (the fakes pick by it). */
type Named = TokenCredential & { readonly kind: SignInKind; readonly resource: string };

function procedureOn(clouds: Clouds, notified: string[] = []) {
  /** The sign-ins whose tokens reached the inventory and the key vault clients. */
  const signIns = { inventory: [] as SignInKind[], keyVaults: [] as SignInKind[] };
  const tokens = {
    credential: (user: string, kind: SignInKind, resource: string): Named => {
      expect(user).toBe(USER);
      return { kind, resource, getToken: async () => null };
    },
  } as unknown as TokenSource;
  const pick = <T>(by: Partial<Record<SignInKind, Partial<T>>>, c: TokenCredential): T => {
    const port = by[(c as Named).kind];
    if (!port) throw new Error(`no fake for ${(c as Named).kind}`);
    return port as T;
  };
  const clients: CloudClients = {
    azure: (c) => pick(clouds.azure, c),
    directory: (c) => pick(clouds.directory, c),
    inventory: (c) => {
      signIns.inventory.push((c as Named).kind);
      return (clouds.inventory ?? {}) as ResourceInventoryPort;
    },
    keyVaults: (c) => {
      signIns.keyVaults.push((c as Named).kind);
      return (clouds.keyVaults ?? {}) as KeyVaultPort;
    },
    userRealm: async () => 'Unknown',
    portalUrl: 'https://portal.example',
  };
  const storage = new MemoryStorage();
  const changes = new ChangeRecordStore(storage);
  const procedure = new LinkProcedure(
    {
      tokens,
      clients,
      changes,
      locks: new SubscriptionLockStore(storage),
      propagation: { timeoutMs: 0, firstPollMs: 1, maxPollMs: 1 },
      notifier: {
        notify: async (tenantId) => {
          notified.push(tenantId);
          return 3;
        },
      },
    },
    pino({ level: 'silent' }),
  );
  return { procedure, changes, signIns };
}

const person = (id: string, mail: string | null = `${id}@contoso.example`): DirectoryPerson => ({
  id,
  displayName: id,
  userPrincipalName: `${id}@contoso.example`,
  mail,
  otherMails: [],
});
const assignment = (
  n: number,
  principalId: string,
  role: string = BUILT_IN_ROLES.Reader,
): RoleAssignment => ({
  id: `${SCOPE}/providers/Microsoft.Authorization/roleAssignments/a${n}`,
  name: `a${n}`,
  scope: SCOPE,
  principalId,
  principalType: 'User',
  roleDefinitionId: `${SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
  roleName: 'Reader',
});
const impactStage = {
  ...flow,
  initiatorName: 'Kelley Wall',
  subscriptionName: 'Pay-As-You-Go',
  sourceTenantId: OLD,
  destinationTenantId: NEW,
};

/** Resource Graph's key vault rows (the inventory port's `keyVaults`) of the test's vaults. */
function vaultRows(vaults: Record<string, { id: string; name: string }>) {
  return async () =>
    Object.values(vaults).map((v) => ({
      id: v.id,
      name: v.name,
      type: 'microsoft.keyvault/vaults',
    }));
}

describe('reviewImpactJob', () => {
  const azure = {
    listRoleAssignments: async () => [assignment(1, 'old-sam'), assignment(2, 'old-lee')],
    listCustomRoles: async () => [],
  };
  const oldDirectory = {
    usersById: async () => [
      person('old-sam', 'sam@outlook.example'),
      person('old-lee', 'lee@fabrikam.example'),
    ],
  };

  it('backs up the assignments, plans their restore, takes the inventory and creates the record', async () => {
    const looked: string[][] = [];
    const { procedure, changes, signIns } = procedureOn({
      azure: { azure },
      directory: {
        azure: oldDirectory,
        office365: {
          usersWithEmails: async (emails) => {
            looked.push([...emails]);
            return [person('new-sam', 'sam@outlook.example')];
          },
        },
      },
      inventory: {
        resources: async () => [{ id: '/k', name: 'kv', type: 'microsoft.keyvault/vaults' }],
        policies: async () => [],
      },
    });
    const result = await reviewImpactJob(procedure, USER, impactStage);
    expect(looked).toEqual([
      [
        'sam@outlook.example',
        'old-sam@contoso.example',
        'lee@fabrikam.example',
        'old-lee@contoso.example',
      ],
    ]);
    expect(result.report.assignments.map((a) => a.principalName)).toEqual([
      'sam@outlook.example',
      'lee@fabrikam.example',
    ]);
    expect(result.plan?.map((e) => e.action)).toEqual([
      { kind: 'restore', principalId: 'new-sam', principalName: 'sam@outlook.example' },
      { kind: 'invite', email: 'lee@fabrikam.example' },
    ]);
    expect(result.inventory?.groups.map((g) => g.kind)).toEqual(['keyVault']);
    expect(result.inventoryError).toBeUndefined();
    // The inventory is read as the subscription's Owner today (the Azure sign-in).
    expect(signIns.inventory).toEqual(['azure']);
    const record = await changes.get(FLOW);
    expect(record).toMatchObject({
      flowId: FLOW,
      initiatorId: 'kelley',
      initiatorName: 'Kelley Wall',
      subscriptionId: SUB,
      subscriptionName: 'Pay-As-You-Go',
      sourceTenantId: OLD,
      destinationTenantId: NEW,
      status: 'impactReviewed',
      backup: result.report.assignments,
      customRoles: [],
      inventory: result.inventory,
      restorePlan: result.plan?.map((e) => ({ assignmentId: e.assignmentId, action: e.action })),
    });
    expect(record?.inventoryError).toBeUndefined();
    // The review writes no audit line: the record starts with an empty audit trail.
    expect(record?.audit).toEqual([]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("keeps the directories' names in the record when the stage has them, and none when not", async () => {
    const deps = {
      azure: { azure },
      directory: { azure: oldDirectory, office365: { usersWithEmails: async () => [] } },
      inventory: { resources: async () => [], policies: async () => [] },
    };
    const named = procedureOn(deps);
    await reviewImpactJob(named.procedure, USER, {
      ...impactStage,
      sourceTenantName: 'Fabrikam',
      destinationTenantName: 'Contoso',
    });
    expect(await named.changes.get(FLOW)).toMatchObject({
      sourceTenantId: OLD,
      sourceTenantName: 'Fabrikam',
      destinationTenantId: NEW,
      destinationTenantName: 'Contoso',
    });
    const unnamed = procedureOn(deps);
    await reviewImpactJob(unnamed.procedure, USER, impactStage);
    const record = await unnamed.changes.get(FLOW);
    expect(record).toBeDefined();
    expect('sourceTenantName' in record!).toBe(false);
    expect('destinationTenantName' in record!).toBe(false);
  });

  it('goes on without the plan or the inventory when they cannot be read, and says which', async () => {
    const { procedure, changes } = procedureOn({
      azure: { azure },
      directory: {
        azure: oldDirectory,
        office365: {
          usersWithEmails: async () => {
            throw new TenantlinkError('cloudForbidden');
          },
        },
      },
      inventory: {
        resources: async () => {
          throw new TenantlinkError('cloudThrottled');
        },
        policies: async () => [],
      },
    });
    const result = await reviewImpactJob(procedure, USER, impactStage);
    expect(result.plan).toBeUndefined();
    expect(result.inventory).toBeUndefined();
    expect(result.inventoryError).toBe(new TenantlinkError('cloudThrottled').code);
    expect('plan' in result).toBe(false);
    expect('inventory' in result).toBe(false);
    const record = await changes.get(FLOW);
    expect(record?.restorePlan).toBeUndefined();
    expect(record?.inventory).toBeUndefined();
    expect(record?.inventoryError).toBe(new TenantlinkError('cloudThrottled').code);
    expect(record?.status).toBe('impactReviewed');
  });

  it('plans without a lookup when no former user has an email, and keeps an existing record', async () => {
    const usersWithEmails = jest.fn(async () => []);
    const { procedure, changes } = procedureOn({
      azure: { azure },
      directory: { azure: { usersById: async () => [] }, office365: { usersWithEmails } },
      inventory: { resources: async () => [], policies: async () => [] },
    });
    await reviewImpactJob(procedure, USER, impactStage);
    const created = await changes.get(FLOW);
    const again = await reviewImpactJob(procedure, USER, {
      ...impactStage,
      initiatorName: 'Other',
    });
    expect(usersWithEmails).not.toHaveBeenCalled();
    expect(again.plan?.map((e) => e.action.kind)).toEqual(['skip', 'skip']);
    const record = await changes.get(FLOW);
    expect(record?.initiatorName).toBe('Kelley Wall');
    expect(record?.createdAt).toBe(created?.createdAt);
  });
  it("keeps only this review's restore plan: a review that could not plan leaves none behind", async () => {
    let fails = false;
    const { procedure, changes } = procedureOn({
      azure: { azure },
      directory: {
        azure: oldDirectory,
        office365: {
          usersWithEmails: async () => {
            if (fails) throw new TenantlinkError('cloudForbidden');
            return [];
          },
        },
      },
      inventory: { resources: async () => [], policies: async () => [] },
    });
    const first = await reviewImpactJob(procedure, USER, impactStage);
    expect(first.plan?.length).toBeGreaterThan(0);
    expect((await changes.get(FLOW))?.restorePlan?.length).toBe(first.plan?.length);
    fails = true;
    const second = await reviewImpactJob(procedure, USER, impactStage);
    expect(second.plan).toBeUndefined();
    const record = await changes.get(FLOW);
    expect(record && 'restorePlan' in record).toBe(false);
  });

  it("keeps only this review's inventory or inventory error in the record, never an earlier one", async () => {
    let fails = true;
    const { procedure, changes } = procedureOn({
      azure: { azure },
      directory: { azure: oldDirectory, office365: { usersWithEmails: async () => [] } },
      inventory: {
        resources: async () => {
          if (fails) throw new TenantlinkError('cloudThrottled');
          return [{ id: '/k', name: 'kv', type: 'microsoft.keyvault/vaults' }];
        },
        policies: async () => [],
      },
    });
    await reviewImpactJob(procedure, USER, impactStage);
    expect((await changes.get(FLOW))?.inventoryError).toBe('TL-CLOUD-THROTTLED');
    fails = false;
    const ok = await reviewImpactJob(procedure, USER, impactStage);
    let record = await changes.get(FLOW);
    expect(record?.inventory).toEqual(ok.inventory);
    expect(record && 'inventoryError' in record).toBe(false);
    fails = true;
    await reviewImpactJob(procedure, USER, impactStage);
    record = await changes.get(FLOW);
    expect(record?.inventoryError).toBe(new TenantlinkError('cloudThrottled').code);
    expect(record && 'inventory' in record).toBe(false);
  });
});

describe('giveAccessJob', () => {
  async function run(restore: boolean, failFor?: string, customRoles?: CustomRoleDefinition[]) {
    const granted: RoleGrant[] = [];
    const progress: unknown[] = [];
    const target = {
      grantRole: async (grant: RoleGrant) => {
        granted.push(grant);
        if (grant.principalId === failFor)
          throw new TenantlinkError('cloudConflict', { serviceCode: 'Nope', correlationId: 'c-f' });
        return {
          assignment: assignment(9, grant.principalId),
          created: grant.principalId !== 'jane',
          correlationId: `c-${grant.principalId}`,
        };
      },
      listRoleAssignments: async () =>
        granted.map((g, i) =>
          assignment(i, g.principalId, typeof g.role === 'string' ? BUILT_IN_ROLES[g.role] : ''),
        ),
      putCustomRole: async () => ({ created: true }),
    };
    const { procedure, changes } = procedureOn({
      azure: { office365: target },
      directory: {
        office365: {
          usersById: async (ids) => ids.filter((id) => id !== 'gone').map((id) => person(id)),
        },
      },
    });
    await changes.update(
      FLOW,
      () => undefined,
      () => ({
        ...impactStage,
        status: 'verified',
        backup: [{ ...assignment(1, 'old-sam'), principalName: 'sam@old.example' }],
        restorePlan: [
          {
            assignmentId: assignment(1, 'old-sam').id,
            action: { kind: 'restore', principalId: 'sam', principalName: 'sam' },
          },
        ],
        ...(customRoles ? { customRoles } : {}),
        audit: [],
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      }),
    );
    const result = await giveAccessJob(
      procedure,
      USER,
      {
        ...flow,
        role: 'Contributor',
        principalIds: ['jane', 'tricia', 'gone'],
        restore,
        redirectUrl: 'https://portal.example',
      },
      (p) => progress.push(p),
    );
    return { result, progress, granted, record: await changes.get(FLOW) };
  }

  it('grants the role to the chosen users found, gives back the removed access, tests and records it', async () => {
    const { result, progress, record } = await run(true);
    expect(result.missing).toBe(1);
    expect(result.grants.map((g) => [g.user.id, g.outcome])).toEqual([
      ['jane', 'existing'],
      ['tricia', 'granted'],
    ]);
    expect(result.tested.map((t) => [t.user.id, t.ok])).toEqual([
      ['jane', true],
      ['tricia', true],
    ]);
    expect(result.restore?.assignments.map((a) => a.outcome)).toEqual(['restored']);
    expect(progress).toEqual([
      { granted: 1, grantTotal: 2, restored: 0, restoreTotal: 1 },
      { granted: 2, grantTotal: 2, restored: 0, restoreTotal: 1 },
      { granted: 2, grantTotal: 2, restored: 1, restoreTotal: 1 },
    ]);
    expect(record?.status).toBe('accessGranted');
    const grants = (record?.audit ?? []).filter((a) => a.action.startsWith('roleAssignment'));
    expect(grants.map(({ at: _at, ...rest }) => rest)).toEqual([
      {
        by: 'kelley',
        action: 'roleAssignment:Contributor',
        target: 'jane',
        outcome: 'ok',
        code: 'RoleAssignmentExists',
        correlationId: 'c-jane',
      },
      {
        by: 'kelley',
        action: 'roleAssignment:Contributor',
        target: 'tricia',
        outcome: 'ok',
        code: undefined,
        correlationId: 'c-tricia',
      },
    ]);
    expect(record?.audit.some((a) => a.action === 'restore:Reader')).toBe(true);
  });

  it("re-creates the subscription's custom role with the assignment it gives back", async () => {
    const role: CustomRoleDefinition = {
      id: 'c0ffee00-0000-4000-8000-000000000001',
      roleName: 'Backup Operator',
      description: '',
      permissions: [],
      assignableScopes: [SCOPE],
    };
    const { result, granted } = await run(true, undefined, [role]);
    expect(result.restore?.customRoles.map((r) => [r.roleName, r.outcome])).toEqual([
      ['Backup Operator', 'created'],
    ]);
    expect(result.restore?.assignments.map((a) => a.outcome)).toEqual(['restored']);
    expect(granted.map((g) => g.principalId)).toEqual(['jane', 'tricia', 'sam']);
  });

  it('runs no restore when the toggle is off, and records a failed grant as failed', async () => {
    const { result, granted, record } = await run(false, 'tricia');
    expect(result.restore).toBeUndefined();
    expect('restore' in result).toBe(false);
    expect(granted.map((g) => g.principalId)).toEqual(['jane', 'tricia']);
    expect(result.tested.map((t) => [t.user.id, t.ok])).toEqual([
      ['jane', true],
      ['tricia', true],
    ]);
    const failed = record?.audit.find((a) => a.target === 'tricia');
    expect(failed).toMatchObject({
      outcome: 'failed',
      code: new TenantlinkError('cloudConflict').code,
    });
    expect(record?.restoreReport).toBeUndefined();
  });
});

describe('fixKeyVaultsJob', () => {
  it("updates the vaults for the principals given back and audits each vault's outcome", async () => {
    const vaults: Record<string, KeyVaultState> = {
      kv1: {
        id: 'kv1',
        name: 'kv1',
        tenantId: OLD,
        rbacAuthorization: false,
        accessPolicies: [{ tenantId: OLD, objectId: 'old-sam', permissions: { secrets: ['get'] } }],
      },
      kv2: { id: 'kv2', name: 'kv2', tenantId: NEW, rbacAuthorization: false, accessPolicies: [] },
      kv3: { id: 'kv3', name: 'kv3', tenantId: OLD, rbacAuthorization: false, accessPolicies: [] },
    };
    const updates: unknown[] = [];
    const { procedure, changes, signIns } = procedureOn({
      azure: {},
      directory: { office365: { usersWithEmails: async () => [] } },
      inventory: {
        keyVaults: vaultRows(vaults),
      },
      keyVaults: {
        get: async (id) => {
          if (id === 'kv3') throw new TenantlinkError('cloudForbidden', { correlationId: 'c-3' });
          return vaults[id]!;
        },
        update: async (id, tenantId, accessPolicies) => {
          updates.push([id, tenantId, (accessPolicies ?? []).map((p) => p.objectId)]);
          return { state: vaults[id]!, correlationId: 'c-1' };
        },
      },
    });
    await changes.update(
      FLOW,
      () => undefined,
      () => ({
        ...impactStage,
        status: 'accessGranted',
        backup: [{ ...assignment(1, 'old-sam'), principalName: 'sam@old.example' }],
        restorePlan: [
          {
            assignmentId: assignment(1, 'old-sam').id,
            action: { kind: 'restore', principalId: 'new-sam', principalName: 'sam' },
          },
        ],
        restoreReport: [{ assignmentId: assignment(1, 'old-sam').id, outcome: 'restored' }],
        audit: [],
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      }),
    );
    const { results } = await fixKeyVaultsJob(procedure, USER, { ...flow, tenantId: NEW });
    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      ['kv1', 'updated'],
      ['kv2', 'alreadyDone'],
      ['kv3', 'failed'],
    ]);
    expect(updates).toEqual([['kv1', NEW, ['new-sam']]]);
    // The vaults are found and changed as the Office 365 admin, their Owner after the move.
    expect(signIns).toEqual({ inventory: ['office365'], keyVaults: ['office365'] });
    const audit = (await changes.get(FLOW))?.audit.map(({ at: _at, ...rest }) => rest);
    expect(audit).toEqual([
      {
        by: 'kelley',
        action: 'keyVaultTenant',
        target: 'kv1',
        outcome: 'ok',
        code: undefined,
        correlationId: 'c-1',
      },
      {
        by: 'kelley',
        action: 'keyVaultTenant',
        target: 'kv2',
        outcome: 'ok',
        code: 'AlreadyDone',
        correlationId: undefined,
      },
      {
        by: 'kelley',
        action: 'keyVaultTenant',
        target: 'kv3',
        outcome: 'failed',
        code: new TenantlinkError('cloudForbidden').code,
        correlationId: 'c-3',
      },
    ]);
  });

  /** One access-policy vault and one RBAC vault of the old directory, with the writes counted. */
  function vaultClouds() {
    const vaults: Record<string, KeyVaultState> = {
      kv1: {
        id: 'kv1',
        name: 'kv1',
        tenantId: OLD,
        rbacAuthorization: false,
        accessPolicies: [{ tenantId: OLD, objectId: 'old-sam', permissions: { secrets: ['get'] } }],
      },
      kv2: {
        id: `${SCOPE}/kv2`,
        name: 'kv2',
        tenantId: OLD,
        rbacAuthorization: true,
        accessPolicies: [],
      },
    };
    const updates: unknown[] = [];
    const clouds: Clouds = {
      azure: {},
      directory: { office365: { usersWithEmails: async () => [] } },
      inventory: {
        keyVaults: vaultRows(vaults),
      },
      keyVaults: {
        get: async (id) => vaults[id === 'kv1' ? 'kv1' : 'kv2']!,
        update: async (id, tenantId, accessPolicies) => {
          updates.push([id, tenantId, (accessPolicies ?? []).map((p) => p.objectId)]);
          return { state: vaults[id === 'kv1' ? 'kv1' : 'kv2']!, correlationId: 'c-1' };
        },
      },
    };
    return { clouds, updates };
  }

  it('changes no vault for a flow without a change record (its writes could not be audited)', async () => {
    const { clouds, updates } = vaultClouds();
    const { procedure } = procedureOn(clouds);
    await expect(fixKeyVaultsJob(procedure, USER, { ...flow, tenantId: NEW })).rejects.toThrow(
      `no change record ${FLOW}`,
    );
    expect(updates).toEqual([]);
  });

  it("gives no one access back when no restore ran, and counts the RBAC vault's assignments as not given back", async () => {
    const { clouds, updates } = vaultClouds();
    const { procedure, changes } = procedureOn(clouds);
    await changes.update(
      FLOW,
      () => undefined,
      () => ({
        ...impactStage,
        status: 'moveAccepted',
        backup: [
          { ...assignment(1, 'old-sam'), principalName: 'sam@old.example' },
          { ...assignment(2, 'old-lee'), scope: `${SCOPE}/kv2`, principalName: 'lee@old.example' },
        ],
        audit: [],
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      }),
    );
    const { results } = await fixKeyVaultsJob(procedure, USER, { ...flow, tenantId: NEW });
    expect(updates).toEqual([
      ['kv1', NEW, []],
      [`${SCOPE}/kv2`, NEW, []],
    ]);
    expect(results.map((r) => [r.id, r.outcome, r.dropped, r.roleAssignments])).toEqual([
      ['kv1', 'updated', 1, undefined],
      [`${SCOPE}/kv2`, 'updated', 0, { removed: 1, givenBack: 0 }],
    ]);
  });
});

describe('LinkProcedure', () => {
  async function withRecord(clouds: Clouds = { azure: {}, directory: {} }) {
    const notified: string[] = [];
    const made = procedureOn(clouds, notified);
    await made.changes.update(
      FLOW,
      () => undefined,
      () => ({
        ...impactStage,
        status: 'confirmed',
        backup: [],
        audit: [],
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      }),
    );
    return { ...made, notified };
  }

  it('verifies the move as the Office 365 admin and records verified or failed', async () => {
    let tenantId = OLD;
    const sub = (): AzureSubscription => ({
      subscriptionId: SUB,
      displayName: 'Pay-As-You-Go',
      tenantId,
      state: 'Enabled',
    });
    const { procedure, changes } = await withRecord({
      azure: { office365: { getSubscription: async () => sub() } },
      directory: {},
    });
    expect(await procedure.verify(USER, flow, NEW)).toBe(false);
    expect((await changes.get(FLOW))?.status).toBe('failed');
    tenantId = NEW;
    expect(await procedure.verify(USER, flow, NEW)).toBe(true);
    expect((await changes.get(FLOW))?.status).toBe('verified');
  });

  it('moves a record to a status only when the flow has one', async () => {
    const { procedure, changes } = await withRecord();
    await procedure.setStatus(FLOW, 'moveRequested');
    expect((await changes.get(FLOW))?.status).toBe('moveRequested');
    await procedure.setStatus('no-record', 'moveRequested');
    expect(await changes.get('no-record')).toBeUndefined();
  });

  it('records a refusal at the request or the acceptance in the audit trail, with the service code', async () => {
    const { procedure, changes } = await withRecord();
    await procedure.recordRefusal(
      flow,
      new TenantlinkError('cloudForbidden', {
        serviceCode: 'RequestDisallowedByPolicy',
        correlationId: 'c-r',
      }),
      'request',
    );
    await procedure.recordRefusal(flow, new TenantlinkError('cloudBadRequest'), 'accept');
    const record = await changes.get(FLOW);
    expect(record?.status).toBe('guided');
    expect(record?.audit.map(({ at: _at, ...rest }) => rest)).toEqual([
      {
        by: 'kelley',
        action: 'changeTenantRequest',
        target: SUB,
        outcome: 'refused',
        code: 'RequestDisallowedByPolicy',
        correlationId: 'c-r',
      },
      {
        by: 'kelley',
        action: 'acceptChangeTenant',
        target: SUB,
        outcome: 'refused',
        code: new TenantlinkError('cloudBadRequest').code,
        correlationId: undefined,
      },
    ]);
  });

  it('withdraws a pending change request and audits it; a failure is audited, never thrown', async () => {
    const { procedure, changes } = await withRecord();
    const source = (answer: () => Promise<{ withdrawn: boolean; correlationId?: string }>) =>
      ({ cancelDirectoryChange: answer }) as unknown as AzureManagementPort;
    await procedure.withdrawDirectoryChange(
      flow,
      source(async () => ({ withdrawn: true, correlationId: 'c-w' })),
    );
    await procedure.withdrawDirectoryChange(
      flow,
      source(async () => ({ withdrawn: false })),
    );
    await procedure.withdrawDirectoryChange(
      flow,
      source(async () => {
        throw new TenantlinkError('cloudUnavailable');
      }),
    );
    const audit = (await changes.get(FLOW))?.audit.map(({ at: _at, ...rest }) => rest);
    expect(audit).toEqual([
      expect.objectContaining({
        by: 'kelley',
        action: 'withdrawChangeTenantRequest',
        target: SUB,
        outcome: 'ok',
        correlationId: 'c-w',
      }),
      expect.objectContaining({
        by: 'kelley',
        action: 'withdrawChangeTenantRequest',
        target: SUB,
        outcome: 'failed',
        code: new TenantlinkError('cloudUnavailable').code,
      }),
    ]);
    // Without a record to audit in, the failure is still not thrown.
    await expect(
      procedure.withdrawDirectoryChange(
        { ...flow, flowId: 'no-record' },
        source(async () => {
          throw new TenantlinkError('cloudUnavailable');
        }),
      ),
    ).resolves.toBeUndefined();
  });

  it('takes the subscription lock for one flow at a time and releases it', async () => {
    const { procedure } = await withRecord();
    const kelley = { ...flow, initiatorName: 'Kelley Wall' };
    const jane = { ...flow, flowId: 'flow-jane', initiatorId: 'jane', initiatorName: 'Jane' };
    expect(await procedure.lock(kelley)).toEqual({ acquired: true });
    const refused = await procedure.lock(jane);
    expect(refused.acquired).toBe(false);
    expect(refused.acquired === false && refused.holder).toMatchObject({
      flowId: FLOW,
      holderId: 'kelley',
      holderName: 'Kelley Wall',
    });
    await procedure.unlock(kelley);
    expect(await procedure.lock(jane)).toEqual({ acquired: true });
  });

  it('tells the channels once and records it', async () => {
    const { procedure, changes, notified } = await withRecord();
    expect(await procedure.notifyOnce(FLOW, NEW, {})).toBe(3);
    expect(await procedure.notifyOnce(FLOW, NEW, {})).toBe(3);
    expect(notified).toEqual([NEW]);
    expect((await changes.get(FLOW))?.status).toBe('notified');
  });
});
