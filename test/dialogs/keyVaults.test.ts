import { IDS } from '../../src/sandbox';
import { KEY_VAULT_ROLES } from '../../src/sandbox/keyVaultKeys';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { draftSubscription, editedSeed } from '../helpers/seeds';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, runLink, startHarness, type Harness } from '../helpers/testApp';

/**
 * After the move, the checklist offers to update the subscription's key vaults to the new
 * directory (issue 17): confirmed by its toggle, for the link's initiator only, run in the
 * background, idempotent and in the audit trail. The vault's access policies follow the people
 * whose access was given back; the others' are removed. A vault in the Azure RBAC model
 * (`enableRbacAuthorization`) gets its tenant ID only: its access policies are ignored there, and
 * its access is the role assignments at the vault, which the restore gives back with the others.
 */

const S = IDS.subscriptions;
const T = IDS.tenants;
const chat = personalChat(USERS.kelley);
const VAULT = `/subscriptions/${S.payAsYouGo}/resourceGroups/rg-web/providers/Microsoft.KeyVault/vaults/kv-kelley-web`;
let h: Harness;
let http: SandboxHttp;

beforeAll(async () => {
  h = await startHarness();
  http = new SandboxHttp(h.sandbox);
});
afterAll(async () => {
  await http.close();
  await h?.stop();
});

async function vault(
  id = VAULT,
  over = http,
): Promise<{
  tenantId: string;
  enableRbacAuthorization: boolean;
  accessPolicies: { tenantId: string; objectId: string; permissions: { secrets: string[] } }[];
}> {
  const token = await over.token(T.contoso, 'admin@contoso.onmicrosoft.com', 'arm');
  const res = await over.call('GET', `/arm${id}?api-version=2023-07-01`, { token });
  expect(res.status).toBe(200);
  return res.body.properties;
}

function checklistCard(on = h): { id: string; card: Record<string, unknown> } {
  const found = on.channel
    .activities(chat)
    .filter((a) => JSON.stringify(a.activity).includes('keyvault.fix'))
    .at(-1);
  if (!found) throw new Error('no checklist card with the key vault offer');
  return { id: found.id, card: found.activity.attachments[0].content };
}

async function press(
  by: (typeof USERS)[keyof typeof USERS] = USERS.kelley,
  confirm = 'true',
  on = h,
) {
  const { id, card } = checklistCard(on);
  const answer = await on.channel.invoke(
    by,
    'keyvault.fix',
    { ...actionData(card, 'keyvault.fix'), confirmKeyVaults: confirm },
    id,
    chat,
  );
  await on.app.background.idle();
  return answer;
}

it('updates the key vault to the new directory, carrying the policies of the people given back', async () => {
  // Kelley gives back the removed access (Sam and Kelley's own Microsoft account become guests).
  await runLink(h, { restore: true });
  expect(cardText(checklistCard().card)).toContain('I confirm: update the key vaults to Contoso');
  const before = await vault();
  expect(before.tenantId).toBe(T.defaultDirectory);
  const flowId = String(actionData(checklistCard().card, 'keyvault.fix').flowId);

  // Someone else cannot, nor can an unconfirmed press: nothing is written.
  const writes = h.sandbox.writeLog().length;
  await press(USERS.jane);
  await press(USERS.kelley, 'false');
  expect(h.sandbox.writeLog()).toHaveLength(writes);
  expect((await vault()).tenantId).toBe(T.defaultDirectory);

  await press();
  const after = await vault();
  expect(after.tenantId).toBe(T.contoso);
  expect(after.accessPolicies.every((p) => p.tenantId === T.contoso)).toBe(true);
  const contoso = h.sandbox.snapshot().tenants.find((t) => t.id === T.contoso)!;
  const guests = new Map(contoso.users.map((u) => [u.id, u.userPrincipalName]));
  expect(after.accessPolicies.map((p) => guests.get(p.objectId))).toEqual(
    expect.arrayContaining([expect.stringMatching(/^sam\.dev_outlook\.com#EXT#/)]),
  );
  expect(h.channel.texts(chat).join('\n') + cardText(h.channel.lastCard(chat).card)).toMatch(
    /kv-kelley-web[\s\S]*tenant ID updated/,
  );
  const audit = (await h.app.changes.get(flowId))!.audit.filter(
    (a) => a.action === 'keyVaultTenant',
  );
  expect(audit).toEqual([expect.objectContaining({ target: VAULT, outcome: 'ok' })]);

  // Again: nothing more is changed, and the audit says so.
  const patched = h.sandbox.writeLog().filter((w) => w.method === 'PATCH').length;
  await press();
  expect(h.sandbox.writeLog().filter((w) => w.method === 'PATCH')).toHaveLength(patched);
  expect(cardText(h.channel.lastCard(chat).card)).toContain('already on the new directory');
  const again = (await h.app.changes.get(flowId))!.audit.filter(
    (a) => a.action === 'keyVaultTenant',
  );
  expect(again.at(-1)).toMatchObject({ outcome: 'ok', code: 'AlreadyDone' });
});

describe('a key vault in the Azure RBAC model', () => {
  const RBAC_SCOPE = '/resourceGroups/rg-web/providers/Microsoft.KeyVault/vaults/kv-kelley-rbac';
  const RBAC_VAULT = `/subscriptions/${S.payAsYouGo}${RBAC_SCOPE}`;
  let r: Harness;
  let rHttp: SandboxHttp;

  beforeAll(async () => {
    // Pay-As-You-Go with a second vault in the RBAC model: Sam reads it by a role at the vault,
    // the build pipeline reads one secret; an access policy is left from its earlier model.
    const seed = editedSeed((draft) => {
      const sub = draftSubscription(draft, S.payAsYouGo);
      sub.resources!.push({
        name: 'kv-kelley-rbac',
        type: 'Microsoft.KeyVault/vaults',
        resourceGroup: 'rg-web',
        location: 'westeurope',
        properties: {
          tenantId: T.defaultDirectory,
          enableRbacAuthorization: true,
          accessPolicies: [
            {
              tenantId: T.defaultDirectory,
              objectId: IDS.users.kelleyMsaInDefault,
              permissions: { secrets: ['get'], keys: [], certificates: [] },
            },
          ],
        },
      });
      sub.roleAssignments.push(
        {
          name: '5b0f7f5e-7c3a-4d0e-9a51-2f1e8c3b6d01',
          principalId: IDS.users.samMsaInDefault,
          principalType: 'User',
          roleDefinitionId: KEY_VAULT_ROLES.Reader,
          scope: RBAC_SCOPE,
        },
        {
          name: '5b0f7f5e-7c3a-4d0e-9a51-2f1e8c3b6d02',
          principalId: IDS.principals.buildPipelineSp,
          principalType: 'ServicePrincipal',
          roleDefinitionId: KEY_VAULT_ROLES.Reader,
          scope: `${RBAC_SCOPE}/secrets/db-password`,
        },
      );
    });
    r = await startHarness({}, seed);
    rHttp = new SandboxHttp(r.sandbox);
  });
  afterAll(async () => {
    await rHttp.close();
    await r?.stop();
  });

  it('changes its tenant ID only, and reports the role assignments at the vault that the restore gave back', async () => {
    await runLink(r, { restore: true });
    expect(cardText(checklistCard(r).card)).toContain(
      'A vault in Azure RBAC mode gets its tenant ID only',
    );
    const before = await vault(RBAC_VAULT, rHttp);
    expect(before).toMatchObject({ tenantId: T.defaultDirectory, enableRbacAuthorization: true });

    // The restore gave Sam's role at the vault back, to Sam's guest account in Contoso.
    const contoso = r.sandbox.snapshot().tenants.find((t) => t.id === T.contoso)!;
    const sam = contoso.users.find((u) => /^sam\.dev_outlook\.com#EXT#/.test(u.userPrincipalName))!;
    const atVault = () =>
      r.sandbox
        .snapshot()
        .subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!
        .roleAssignments.filter((a) => a.scope.toLowerCase().startsWith(RBAC_VAULT.toLowerCase()));
    expect(atVault()).toEqual([
      expect.objectContaining({
        scope: RBAC_VAULT,
        principalId: sam.id,
        roleDefinitionId: KEY_VAULT_ROLES.Reader,
      }),
    ]);

    const writes = r.sandbox.writeLog().length;
    await press(USERS.kelley, 'true', r);
    const after = await vault(RBAC_VAULT, rHttp);
    expect(after.tenantId).toBe(T.contoso);
    expect(after.enableRbacAuthorization).toBe(true);
    // Its access policies are ignored in this model: not written (Kelley's would have been carried).
    expect(after.accessPolicies).toEqual(before.accessPolicies);
    // The vault with access policies is updated as before.
    const policies = await vault(VAULT, rHttp);
    expect(policies.tenantId).toBe(T.contoso);
    expect(policies.accessPolicies.every((p) => p.tenantId === T.contoso)).toBe(true);
    // Two vault PATCHes, and no role assignment granted twice.
    const pressWrites = r.sandbox.writeLog().slice(writes);
    expect(pressWrites.map((w) => w.method)).toEqual(['PATCH', 'PATCH']);
    expect(atVault()).toHaveLength(1);

    const report = cardText(r.channel.lastCard(chat).card);
    expect(report).toContain('A key vault in Azure RBAC mode ignores its access policies');
    expect(report).toMatch(
      /kv-kelley-rbac[\s\S]*Azure RBAC: tenant ID updated[\s\S]*2 role assignments at this vault or its keys and secrets were removed by the move, 1 given back by the restore/,
    );
    expect(report).toMatch(/kv-kelley-web[\s\S]*tenant ID updated; 2 access policies carried/);

    // Again: nothing more is changed.
    await press(USERS.kelley, 'true', r);
    expect(r.sandbox.writeLog()).toHaveLength(writes + 2);
    expect(cardText(r.channel.lastCard(chat).card)).toMatch(
      /kv-kelley-rbac[\s\S]*already on the new directory: nothing changed; 2 role assignments/,
    );
  });
});
