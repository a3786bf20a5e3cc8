import type { CustomRoleDefinition, PlannedWrite, RoleGrant } from '../../src/domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../../src/domain/ports';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { TenantlinkError } from '../../src/errors';
import { WriteRecorder, recordMoveJob } from '../../src/link/dryRun';

/**
 * What the dry run's recording ports (src/link/dryRun.ts) answer in place of each write, and what
 * they list: the answers the real port would give (so that the procedure goes on as it would),
 * the write as the port plans it. Fake ports that fail on any write.
 */

const SUB = 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa';
const DEST = '22222222-2222-2222-2222-222222222222';
const REQUEST = `/subscriptions/${SUB}/providers/Microsoft.Subscription/changeTenantRequest/default`;
const ACCEPT = `/providers/Microsoft.Subscription/subscriptions/${SUB}/acceptChangeTenant`;

/** An ARM port that plans every write and makes none; `plans: false` plans no directory change. */
function arm(plans = true): AzureManagementPort {
  const refuse = (): never => {
    throw new Error('a write reached Azure');
  };
  return {
    kind: 'sandbox',
    planDirectoryChange: (): PlannedWrite[] =>
      plans
        ? [
            { method: 'PUT', path: REQUEST, summary: 'changeTenantRequest' },
            { method: 'POST', path: ACCEPT, summary: 'accept' },
          ]
        : [],
    planGrant: (grant: RoleGrant): PlannedWrite => ({
      method: 'PUT',
      path: `${grant.scope}/providers/Microsoft.Authorization/roleAssignments/ra-${grant.principalId}`,
      summary: 'grant',
    }),
    planCustomRole: (subscriptionId: string, role: CustomRoleDefinition): PlannedWrite => ({
      method: 'PUT',
      path: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
      summary: role.roleName,
    }),
    requestDirectoryChange: refuse,
    acceptDirectoryChange: refuse,
    cancelDirectoryChange: refuse,
    grantRole: refuse,
    putCustomRole: refuse,
  } as unknown as AzureManagementPort;
}

it('answers a directory change request as Azure would, and lists it', async () => {
  const recorder = new WriteRecorder();
  expect(await recorder.azure(arm()).requestDirectoryChange(SUB, DEST, 'owner')).toEqual({
    subscriptionId: SUB,
    destinationTenantId: DEST,
    destinationOwnerId: 'owner',
    status: 'Initiated',
    expiresOn: undefined,
  });
  expect(recorder.writes).toEqual([
    { method: 'PUT', path: REQUEST, summary: 'changeTenantRequest' },
  ]);
});

it('lists the acceptance and the withdrawal of a request by their own names', async () => {
  const recorder = new WriteRecorder();
  const azure = recorder.azure(arm());
  expect(await azure.acceptDirectoryChange(SUB)).toEqual({});
  expect(await azure.cancelDirectoryChange(SUB)).toEqual({ withdrawn: true });
  expect(recorder.writes).toEqual([
    { method: 'POST', path: ACCEPT, summary: 'acceptChangeTenant' },
    { method: 'DELETE', path: REQUEST, summary: 'withdraw changeTenantRequest' },
  ]);
});

it('lists no directory change the port does not plan', async () => {
  const recorder = new WriteRecorder();
  const azure = recorder.azure(arm(false));
  await azure.requestDirectoryChange(SUB, DEST, 'owner');
  await azure.acceptDirectoryChange(SUB);
  await azure.cancelDirectoryChange(SUB);
  expect(recorder.writes).toHaveLength(0);
});

it('answers a grant with the assignment ARM would create, for a built-in or a custom role', async () => {
  const recorder = new WriteRecorder();
  const azure = recorder.azure(arm());
  const scope = `/subscriptions/${SUB}`;
  const assignments = `${scope}/providers/Microsoft.Authorization/roleAssignments`;
  expect(
    await azure.grantRole({ scope, principalId: 'u1', principalType: 'User', role: 'Reader' }),
  ).toEqual({
    assignment: {
      id: `${assignments}/ra-u1`,
      name: 'ra-u1',
      scope,
      principalId: 'u1',
      principalType: 'User',
      roleDefinitionId: BUILT_IN_ROLES.Reader,
      roleName: 'Reader',
    },
    created: true,
  });
  const custom = { definitionGuid: 'aaaaaaaa-0000-0000-0000-000000000001', name: 'Deployer' };
  expect(
    await azure.grantRole({ scope, principalId: 'u2', principalType: 'User', role: custom }),
  ).toMatchObject({
    assignment: { name: 'ra-u2', roleDefinitionId: custom.definitionGuid, roleName: 'Deployer' },
    created: true,
  });
  expect(recorder.writes.map((w) => w.path)).toEqual([
    `${assignments}/ra-u1`,
    `${assignments}/ra-u2`,
  ]);
});

it('answers a custom role as created, and lists it', async () => {
  const recorder = new WriteRecorder();
  const role = {
    id: 'aaaaaaaa-0000-0000-0000-000000000001',
    roleName: 'Deployer',
    description: 'd',
    permissions: [],
    assignableScopes: [`/subscriptions/${SUB}`],
  };
  expect(await recorder.azure(arm()).putCustomRole(SUB, role)).toEqual({ created: true });
  expect(recorder.writes).toEqual([
    {
      method: 'PUT',
      path: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
      summary: 'Deployer',
    },
  ]);
});

it('answers an invitation with a stand-in guest of that address only', async () => {
  const recorder = new WriteRecorder();
  const directory = {
    planInvite: (email: string): PlannedWrite => ({
      method: 'POST',
      path: '/invitations',
      summary: email,
    }),
  } as unknown as Office365DirectoryPort;
  expect(
    await recorder.directory(directory).inviteGuest('jane@fabrikam.com', 'https://portal'),
  ).toEqual({
    id: '(guest jane@fabrikam.com)',
    displayName: 'jane@fabrikam.com',
    userPrincipalName: 'jane@fabrikam.com',
    mail: 'jane@fabrikam.com',
    otherMails: [],
  });
});

it("passes a port's other properties through as they are", () => {
  expect((new WriteRecorder().azure(arm()) as unknown as { kind: string }).kind).toBe('sandbox');
});

describe('recordMoveJob', () => {
  /** ARM as `kind`'s sign-in: the subscription still in its old directory; plans named by kind. */
  const signedIn = (kind: string, refusal?: Error) =>
    ({
      getSubscription: async () => ({
        subscriptionId: SUB,
        displayName: 'Pay-As-You-Go',
        tenantId: 'source',
        state: 'Enabled',
      }),
      getDirectoryChange: async () => {
        if (refusal) throw refusal;
        return undefined;
      },
      planDirectoryChange: (): PlannedWrite[] => [
        { method: 'PUT', path: `${kind}:request`, summary: 'changeTenantRequest' },
        { method: 'POST', path: `${kind}:accept`, summary: 'accept' },
      ],
    }) as unknown as AzureManagementPort;
  const stage = {
    flowId: 'f1',
    initiatorId: '29:kelley',
    subscriptionId: SUB,
    destinationTenantId: DEST,
    destinationOwnerId: 'owner',
  } as Parameters<typeof recordMoveJob>[2];

  it('lists the request as the Azure admin and the acceptance as the Office 365 admin', async () => {
    const procedure = { azure: (_user: string, kind: string) => signedIn(kind) };
    const result = await recordMoveJob(procedure as never, '29:kelley', stage);
    expect(result).toEqual({
      kind: 'recorded',
      writes: [
        { method: 'PUT', path: 'azure:request', summary: 'changeTenantRequest' },
        { method: 'POST', path: 'office365:accept', summary: 'acceptChangeTenant' },
      ],
    });
  });

  it('throws the refusal that would send the admin down the guided path', async () => {
    const refusal = new TenantlinkError('cloudForbidden', { serviceCode: 'AuthorizationFailed' });
    const procedure = { azure: (_user: string, kind: string) => signedIn(kind, refusal) };
    await expect(recordMoveJob(procedure as never, '29:kelley', stage)).rejects.toBe(refusal);
  });
});
