import type { AccessToken } from '@azure/core-auth';
import { cloudClients } from '../../src/app';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { planEntries, restoreAccess } from '../../src/link/restore';
import { IDS, type Seed } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { draftSubscription, draftTenant, editedSeed } from '../helpers/seeds';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, runLink, startHarness, type Harness } from '../helpers/testApp';

/**
 * Carrying access across the move (issue 9): a subscription whose removed assignments are of every
 * kind ends with each user's assignments back at their original scopes (the same person's Office
 * 365 account where it exists, an invited guest otherwise, through replication delay), groups and
 * service principals reported with a reason, and a second run restoring nothing twice.
 */

const S = IDS.subscriptions;
const SUB = `/subscriptions/${S.payAsYouGo}`;
const GROUP_ID = '3f6f3c1e-6c2b-4c7e-9d0e-2a8b5d4e1f00';
const READER_AT_CONTOSO = '7d8e9f00-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const SITE = '/resourceGroups/rg-web/providers/Microsoft.Web/sites/shop';
const DEPLOYER = '6a8b0c2d-4e6f-4a1b-9c3d-5e7f9a1b3c5d';

/** The default world, plus: a group's assignment on a resource, and the read-only user's work account in Contoso. */
function seed(): Seed {
  return editedSeed((base) => {
    draftTenant(base, IDS.tenants.contoso).users.push({
      id: READER_AT_CONTOSO,
      accountId: 'reader-work',
      displayName: 'Rita Reader',
      givenName: 'Rita',
      surname: 'Reader',
      userPrincipalName: 'rita@contoso.onmicrosoft.com',
      mail: 'reader.only@outlook.com',
      otherMails: [],
      userType: 'Member',
      jobTitle: 'Analyst',
    });
    const payg = draftSubscription(base, S.payAsYouGo);
    payg.roleAssignments.push(
      {
        name: '5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
        principalId: GROUP_ID,
        principalType: 'Group',
        roleDefinitionId: BUILT_IN_ROLES.Contributor,
        scope: SITE,
      },
      {
        name: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
        principalId: IDS.users.samMsaInDefault,
        principalType: 'User',
        roleDefinitionId: DEPLOYER,
        scope: '/resourceGroups/rg-web',
      },
    );
    payg.customRoles = [
      {
        id: DEPLOYER,
        roleName: 'Web Deployer',
        description: 'Deploys the shop.',
        actions: ['Microsoft.Web/sites/*'],
      },
      // Listed at the subscription too (RoleDefinitions_List: "at scope and above"), not its own.
      {
        id: '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
        roleName: 'Platform Operator',
        description: 'Defined at the platform management group.',
        actions: ['Microsoft.Compute/virtualMachines/restart/action'],
        assignableScopes: ['/providers/Microsoft.Management/managementGroups/contoso-platform'],
      },
    ];
  });
}

let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  h = await startHarness({}, seed());
  await h.channel.installInTeam(USERS.kelley, '19:contoso-it@thread.tacv2', 'Contoso IT');
});
afterAll(async () => h?.stop());

const assignmentsOf = (principalId: string) =>
  h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!
    .roleAssignments.filter((a) => a.principalId === principalId);

it('gives back every user assignment at its original scope, inviting guests, and says why the others cannot come', async () => {
  // New guests take a moment to reach ARM: the restore waits through PrincipalNotFound.
  h.sandbox.setFaults({ replicationDelayMs: 1500 });
  await runLink(h, { restore: true });
  h.sandbox.setFaults({});

  const snapshot = h.sandbox.snapshot();
  const contoso = snapshot.tenants.find((t) => t.id === IDS.tenants.contoso)!;
  const guest = (email: string) =>
    contoso.users.find(
      (u) =>
        u.userType === 'Guest' &&
        /#EXT#/.test(u.userPrincipalName) &&
        u.userPrincipalName.startsWith(email.replace('@', '_')),
    );
  const sam = guest('sam.dev@outlook.com')!;
  const kelley = guest('kelley.wall@outlook.com')!;
  expect(sam).toBeDefined();
  expect(kelley).toBeDefined();
  expect(snapshot.invitations.map((i) => i.invitedUserEmailAddress).sort()).toEqual([
    'kelley.wall@outlook.com',
    'sam.dev@outlook.com',
  ]);

  const roles = (principalId: string) =>
    assignmentsOf(principalId)
      // Seeded scopes are relative to the subscription, created ones are full ids.
      .map((a) => `${a.roleDefinitionId.split('/').pop()} ${a.scope.replace(SUB, '')}`)
      .sort();
  expect(roles(sam.id)).toEqual(
    [
      `${BUILT_IN_ROLES.Contributor} `,
      `${BUILT_IN_ROLES.Reader} /resourceGroups/rg-web`,
      `${DEPLOYER} /resourceGroups/rg-web`,
    ].sort(),
  );
  // The custom role the move deleted was created again, with its GUID, name and permissions.
  const payg = snapshot.subscriptions.find((x) => x.subscriptionId === S.payAsYouGo)!;
  expect(payg.customRoles).toMatchObject([
    {
      id: DEPLOYER,
      roleName: 'Web Deployer',
      permissions: [{ actions: ['Microsoft.Web/sites/*'] }],
    },
  ]);
  expect(roles(kelley.id)).toEqual([`${BUILT_IN_ROLES.Owner} `]);
  // The read-only user has a work account in Contoso under the same email: restored there.
  expect(roles(READER_AT_CONTOSO)).toEqual([`${BUILT_IN_ROLES.Reader} `]);
  // Neither the group nor the build pipeline's service principal exists in Contoso.
  expect(assignmentsOf(GROUP_ID)).toEqual([]);
  expect(assignmentsOf(IDS.principals.buildPipelineSp)).toEqual([]);

  // The impact card counts only the subscription's own custom role as lost and re-created.
  const texts = h.channel
    .activities(chat)
    .map((a) => cardText(a.activity.attachments?.[0]?.content));
  expect(texts.find((t) => t.includes('backed up and created again'))).toContain(
    '1 custom role is backed up and created again in the new directory.',
  );
  const report = h.channel
    .activities(chat)
    .map((a) => cardText(a.activity.attachments?.[0]?.content))
    .find((t) => t.includes('Access carried across'))!;
  expect(report).toContain(
    '1 restored, 4 restored after a guest invitation, 0 already there, 2 not carried, 0 failed.',
  );
  expect(report).toContain('Custom roles created again: Web Deployer.');
  expect(report).toMatch(/not carried: a group of the old directory/);
  expect(report).toMatch(/not carried: an app or managed identity/);
  expect(report).toMatch(
    /guest invited, then restored · \/subscriptions\/.+\/resourceGroups\/rg-web/,
  );
});

it('restores nothing twice when run again, and the change record exports the report', async () => {
  await h.channel.say(USERS.kelley, 'history json');
  const json = h.channel.texts(chat).at(-1)!;
  const [record] = JSON.parse(json.replace(/^```json\n|\n```$/g, '')) as {
    backup: Parameters<typeof planEntries>[0];
    restorePlan: Parameters<typeof planEntries>[1];
    restoreReport: { outcome: string }[];
    customRoles: Parameters<typeof restoreAccess>[5];
  }[];
  expect(record!.restoreReport.map((r) => r.outcome).sort()).toEqual([
    'invitedRestored',
    'invitedRestored',
    'invitedRestored',
    'invitedRestored',
    'restored',
    'skipped',
    'skipped',
  ]);

  // Run the same plan again, as the Office 365 admin, straight against the sandbox.
  const http = new SandboxHttp(h.sandbox);
  const credential = (scope: 'graph' | 'arm') => ({
    getToken: async (): Promise<AccessToken> => ({
      token: await http.token(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', scope),
      expiresOnTimestamp: Date.now() + 600_000,
    }),
  });
  const clients = cloudClients(
    h.sandbox,
    { caCertificatePem: h.sandbox.caCertificatePem, timeoutMs: 5000, maxRetries: 1 },
    'https://portal.azure.com',
  );
  const before = h.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!
    .roleAssignments.length;
  h.sandbox.resetCallCounts();
  const again = await restoreAccess(
    clients.directory(credential('graph')),
    clients.azure(credential('arm')),
    S.payAsYouGo,
    planEntries(record!.backup, record!.restorePlan),
    'https://portal.azure.com',
    record!.customRoles,
  );
  await http.close();
  expect(again.customRoles.map((r) => r.outcome)).toEqual(['existing']);
  expect(again.assignments.map((r) => r.outcome).sort()).toEqual([
    'existing',
    'existing',
    'existing',
    'existing',
    'existing',
    'skipped',
    'skipped',
  ]);
  const after = h.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!
    .roleAssignments.length;
  expect(after).toBe(before);
});
