import { IDS } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, runLink, startHarness, type Harness } from '../helpers/testApp';

/**
 * After the move, the checklist offers to update the subscription's key vaults to the new
 * directory (issue 17): confirmed by its toggle, for the link's initiator only, run in the
 * background, idempotent and in the audit trail. The vault's access policies follow the people
 * whose access was given back; the others' are removed.
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

async function vault(): Promise<{
  tenantId: string;
  accessPolicies: { tenantId: string; objectId: string; permissions: { secrets: string[] } }[];
}> {
  const token = await http.token(T.contoso, 'admin@contoso.onmicrosoft.com', 'arm');
  const res = await http.call('GET', `/arm${VAULT}?api-version=2023-07-01`, { token });
  expect(res.status).toBe(200);
  return res.body.properties;
}

function checklistCard(): { id: string; card: Record<string, unknown> } {
  const found = h.channel
    .activities(chat)
    .filter((a) => JSON.stringify(a.activity).includes('keyvault.fix'))
    .at(-1);
  if (!found) throw new Error('no checklist card with the key vault offer');
  return { id: found.id, card: found.activity.attachments[0].content };
}

async function press(by: (typeof USERS)[keyof typeof USERS] = USERS.kelley, confirm = 'true') {
  const { id, card } = checklistCard();
  const answer = await h.channel.invoke(
    by,
    'keyvault.fix',
    { ...actionData(card, 'keyvault.fix'), confirmKeyVaults: confirm },
    id,
    chat,
  );
  await h.app.background.idle();
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
