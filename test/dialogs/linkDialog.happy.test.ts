import { rawDatesIn } from '../../src/cards/render';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { IDS } from '../../src/sandbox';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, startHarness, type Harness } from '../helpers/testApp';

let h: Harness;
const chat = personalChat(USERS.kelley);
const TEAM = '19:contoso-it@thread.tacv2';

beforeAll(async () => {
  h = await startHarness();
  await h.channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
});
afterAll(async () => h?.stop());

it('links the Pay-As-You-Go subscription to Contoso end to end', async () => {
  const before = h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  expect(before.tenantId).toBe(IDS.tenants.defaultDirectory);

  expect(await h.channel.say(USERS.kelley, 'link')).toBe(200);
  const flowId = String(actionData(h.channel.lastCard(chat).card, 'link.start').flowId);
  let r = await click(h, USERS.kelley, chat, 'link.start');
  expect(r.status).toBe(200);

  // Sign in to Office 365 as the global admin, then to Azure as the subscription's Microsoft account.
  r = await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `kelley-work|${IDS.tenants.contoso}`,
  });
  expect(r.status).toBe(200);
  r = await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `kelley-msa|${IDS.tenants.defaultDirectory}`,
  });
  expect(r.status).toBe(200);

  // Preflight passed; choose the subscription.
  const choose = h.channel.lastCard(chat);
  expect(cardText(choose.card)).toContain('Pay-As-You-Go');
  r = await click(h, USERS.kelley, chat, 'subscription.choose', {
    subscriptionId: IDS.subscriptions.payAsYouGo,
  });
  expect(r.status).toBe(200);

  // Impact review lists who loses access.
  const impact = h.channel.lastCard(chat);
  expect(cardText(impact.card)).toMatch(/sam\.dev@outlook\.com.*Contributor/);
  expect(cardText(impact.card)).toMatch(/Billing does not move: .*Office 365 subscription is not/);
  // The restore plan: the four user assignments can come back through guest invitations; the
  // build pipeline's service principal cannot be carried, and the card says what to do.
  expect(cardText(impact.card)).toContain('What tenantlink can carry across after the link');
  expect(cardText(impact.card)).toContain(
    '• 4 assignments go back to people invited to Office 365 as guests.',
  );
  expect(cardText(impact.card)).toMatch(/• 1 assignment of an app or managed identity: re-create/);
  await click(h, USERS.kelley, chat, 'impact.continue');

  // Confirm by typing the subscription's name.
  r = await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect(r.status).toBe(200);

  const moved = h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  expect(moved.tenantId).toBe(IDS.tenants.contoso);

  // Give Jane and Tricia Contributor access.
  r = await click(h, USERS.kelley, chat, 'access.grant', {
    principalIds: `${IDS.users.janeContoso},${IDS.users.triciaContoso}`,
    role: 'Contributor',
  });
  expect(r.status).toBe(200);

  const after = h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  const scope = `/subscriptions/${IDS.subscriptions.payAsYouGo}`;
  for (const user of [IDS.users.janeContoso, IDS.users.triciaContoso]) {
    expect(after.roleAssignments).toContainEqual(
      expect.objectContaining({
        principalId: user,
        roleDefinitionId: BUILT_IN_ROLES.Contributor,
        scope,
      }),
    );
  }
  // The old assignments (Sam, the build pipeline, Robin) are gone and kept in the change record's backup.
  const oldNames = before.roleAssignments.map((a) => a.name);
  expect(after.roleAssignments.some((a) => oldNames.includes(a.name))).toBe(false);
  const record = await h.app.changes.get(flowId);
  // The audit trail: who, what, outcome and ARM's correlation id of every change.
  expect(record?.status).toBe('notified');
  const uuid = expect.stringMatching(/^[0-9a-f-]{36}$/);
  expect(record?.audit).toEqual([
    expect.objectContaining({ action: 'changeTenantRequest', outcome: 'ok', correlationId: uuid }),
    expect.objectContaining({ action: 'acceptChangeTenant', outcome: 'ok', correlationId: uuid }),
    expect.objectContaining({
      action: 'roleAssignment:Contributor',
      target: IDS.users.janeContoso,
      by: USERS.kelley.id,
      outcome: 'ok',
      correlationId: uuid,
    }),
    expect.objectContaining({
      action: 'roleAssignment:Contributor',
      target: IDS.users.triciaContoso,
      outcome: 'ok',
      correlationId: uuid,
    }),
  ]);
  expect(record?.backup.map((a) => a.name).sort()).toEqual([...oldNames].sort());

  // One notification in the team's channel.
  const notices = h.channel.activities(TEAM).filter((a) => a.kind === 'send');
  expect(notices).toHaveLength(1);
  const notice = notices[0]!.activity.attachments[0].content;
  expect(cardText(notice)).toContain('Pay-As-You-Go');
  // Its time is formatted by each reader's client, never a raw ISO string.
  expect(rawDatesIn(notice)).toEqual([]);
  expect(cardText(notice)).toMatch(/\{\{TIME\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\}\}/);
});

it('lists the link in history, as a card and as JSON, only in the destination directory', async () => {
  await h.channel.say(USERS.kelley, 'history');
  const card = cardText(h.channel.lastCard(chat).card);
  expect(card).toMatch(/The last link into this directory/);
  expect(card).toMatch(/Pay-As-You-Go · \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\}/);
  expect(card).toMatch(/linked · started by Kelley Wall/);

  await h.channel.say(USERS.kelley, 'history json');
  const json = h.channel.texts(chat).at(-1)!;
  const records = JSON.parse(json.replace(/^```json\n|\n```$/g, '')) as {
    subscriptionId: string;
    backup: unknown[];
    audit: { action: string }[];
  }[];
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ subscriptionId: IDS.subscriptions.payAsYouGo });
  expect(records[0]!.backup).toHaveLength(5);
  // The export carries the restore plan next to the backup.
  const plan = (records[0] as unknown as { restorePlan: { action: { kind: string } }[] })
    .restorePlan;
  expect(plan.map((e) => e.action.kind).sort()).toEqual([
    'invite',
    'invite',
    'invite',
    'invite',
    'skip',
  ]);
  expect(records[0]!.audit.map((a) => a.action)).toContain('acceptChangeTenant');
  expect(json).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no token anywhere

  // Another tenant's admin sees none of it.
  const other = await h.channel.raw({
    type: 'message',
    id: 'x1',
    channelId: 'msteams',
    serviceUrl: h.channel.connectorUrl,
    from: { id: 'user-fabrikam', name: 'Lee Gu' },
    recipient: { id: '28:tenantlink-bot' },
    conversation: { id: 'a:personal-fabrikam', tenantId: IDS.tenants.fabrikam },
    channelData: { tenant: { id: IDS.tenants.fabrikam } },
    text: 'history',
  });
  expect(other.status).toBe(200);
  expect(h.channel.texts('a:personal-fabrikam').at(-1)).toMatch(/No link into this directory yet/);
});
