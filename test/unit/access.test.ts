import type { DirectoryPerson, RoleAssignment, RoleGrant } from '../../src/domain/model';
import type { AzureManagementPort } from '../../src/domain/ports';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { TenantlinkError } from '../../src/errors';
import {
  GRANT_CONCURRENCY,
  assertAllGranted,
  grantAccess,
  testAccess,
  type GrantResult,
} from '../../src/link/access';

/**
 * Step 3's grants and their test on a fake ARM (the fast layer of what test/dialogs/accessJob
 * covers over HTTP): one grant per user at subscription scope, at most GRANT_CONCURRENCY at once,
 * a failure reported per user, and the test reading the role at the subscription's own scope.
 */

const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
const SCOPE = `/subscriptions/${SUB}`;
const person = (id: string): DirectoryPerson => ({
  id,
  displayName: id,
  userPrincipalName: `${id}@contoso.example`,
  mail: null,
  otherMails: [],
});
const assignment = (principalId: string, role: string, scope = SCOPE): RoleAssignment => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${principalId}`,
  name: principalId,
  scope,
  principalId,
  principalType: 'User',
  roleDefinitionId: `${SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
  roleName: '',
});

describe('grantAccess', () => {
  it('grants the role at subscription scope to each user and reports granted, existing and failed in order', async () => {
    const grants: RoleGrant[] = [];
    const azure = {
      grantRole: async (grant: RoleGrant) => {
        grants.push(grant);
        if (grant.principalId === 'broken')
          throw new TenantlinkError('cloudConflict', {
            serviceCode: 'RoleAssignmentLimitExceeded',
            correlationId: 'corr-broken',
          });
        return {
          assignment: assignment(grant.principalId, BUILT_IN_ROLES.Reader),
          created: grant.principalId !== 'held',
          correlationId: `corr-${grant.principalId}`,
        };
      },
    } as unknown as AzureManagementPort;
    const progress: number[] = [];
    const results = await grantAccess(
      azure,
      SUB,
      [person('new'), person('held'), person('broken')],
      'Reader',
      (done) => progress.push(done),
    );
    expect(results).toEqual<GrantResult[]>([
      { user: person('new'), role: 'Reader', outcome: 'granted', correlationId: 'corr-new' },
      { user: person('held'), role: 'Reader', outcome: 'existing', correlationId: 'corr-held' },
      {
        user: person('broken'),
        role: 'Reader',
        outcome: 'failed',
        errorCode: new TenantlinkError('cloudConflict').code,
        correlationId: 'corr-broken',
      },
    ]);
    expect(grants).toEqual([
      { scope: SCOPE, principalId: 'new', principalType: 'User', role: 'Reader' },
      { scope: SCOPE, principalId: 'held', principalType: 'User', role: 'Reader' },
      { scope: SCOPE, principalId: 'broken', principalType: 'User', role: 'Reader' },
    ]);
    expect(progress.sort()).toEqual([1, 2, 3]);
  });

  it('writes at most GRANT_CONCURRENCY grants at once', async () => {
    let inFlight = 0;
    let most = 0;
    const azure = {
      grantRole: async (grant: RoleGrant) => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Answer after the other grants of this round have started.
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return { assignment: assignment(grant.principalId, BUILT_IN_ROLES.Owner), created: true };
      },
    } as unknown as AzureManagementPort;
    const users = Array.from({ length: GRANT_CONCURRENCY + 3 }, (_, i) => person(`u${i}`));
    const results = await grantAccess(azure, SUB, users, 'Owner');
    expect(results.map((r) => [r.user.id, r.outcome])).toEqual(users.map((u) => [u.id, 'granted']));
    expect(GRANT_CONCURRENCY).toBe(8);
    expect(most).toBe(GRANT_CONCURRENCY);
  });

  it('reports no progress when nobody is to be granted', async () => {
    const azure = {} as AzureManagementPort;
    expect(await grantAccess(azure, SUB, [], 'Owner')).toEqual([]);
  });
});

describe('testAccess', () => {
  it("says who holds the role at the subscription's own scope, ignoring other roles and narrower scopes", async () => {
    const filters: unknown[] = [];
    const azure = {
      listRoleAssignments: async (scope: string, filter: unknown) => {
        filters.push([scope, filter]);
        return [
          assignment('READER-UPPER', BUILT_IN_ROLES.Reader, SCOPE.toUpperCase()),
          assignment('owner-only', BUILT_IN_ROLES.Owner),
          assignment('in-group', BUILT_IN_ROLES.Reader, `${SCOPE}/resourceGroups/rg`),
        ];
      },
    } as unknown as AzureManagementPort;
    const result = await testAccess(
      azure,
      SUB,
      [person('reader-upper'), person('owner-only'), person('in-group'), person('nobody')],
      'Reader',
    );
    expect(result.map((r) => [r.user.id, r.ok])).toEqual([
      ['reader-upper', true],
      ['owner-only', false],
      ['in-group', false],
      ['nobody', false],
    ]);
    expect(filters).toEqual([[SCOPE, { atScope: true }]]);
  });
});

describe('assertAllGranted', () => {
  const result = (outcome: GrantResult['outcome'], errorCode?: string): GrantResult => ({
    user: person('u'),
    role: 'Owner',
    outcome,
    ...(errorCode ? { errorCode } : {}),
  });

  it('accepts granted and existing', () => {
    expect(() => assertAllGranted([result('granted'), result('existing')])).not.toThrow();
    expect(() => assertAllGranted([])).not.toThrow();
  });

  it('throws naming the failed codes', () => {
    let thrown: unknown;
    try {
      assertAllGranted([result('granted'), result('failed', 'TL-A'), result('failed', 'TL-B')]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TenantlinkError);
    expect((thrown as TenantlinkError).code).toBe(new TenantlinkError('cloudBadRequest').code);
    expect((thrown as TenantlinkError).message).toContain('grants failed: TL-A,TL-B');
  });
});
