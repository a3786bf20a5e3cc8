import { IDS } from '../../src/sandbox';
import { acknowledged, actionData, cardText, groupChat } from '../helpers/teamsChannel';
import { USERS, startHarness, type Harness } from '../helpers/testApp';

/**
 * Cards in a group chat (issue 18): everyone sees the same base card, read-only, saying who can
 * answer; the initiator's Teams client gets the buttons through Universal Actions' refresh with
 * `userIds` (a User Specific View); an answered card is everyone's again.
 */

const chat = groupChat('contoso-admins');
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

type Json = Record<string, unknown> & { actions?: { verb?: string; type?: string }[] };

/** Teams' automatic refresh of a user-specific view: the card's refresh action, as `user`. */
async function refresh(user: (typeof USERS)[keyof typeof USERS], id: string, card: Json) {
  const action = (card.refresh as { action: { verb: string; data: Record<string, unknown> } })
    .action;
  const answer = await h.channel.invoke(user, action.verb, action.data, id, chat);
  return answer.body.value as Json;
}

it('shows the card read-only to everyone and its buttons to the initiator alone', async () => {
  expect(await h.channel.say(USERS.kelley, 'link', chat)).toBe(200);
  const { id, card } = h.channel.lastCard(chat) as { id: string; card: Json };
  // The message everyone sees: no button, who can answer, and a refresh for Kelley only.
  expect(JSON.stringify(card)).not.toContain('Action.Execute","title":"Start');
  expect(card.actions ?? []).toEqual([]);
  expect(cardText(card)).toContain('Only Kelley Wall can answer this card.');
  expect((card.refresh as { userIds: string[] }).userIds).toEqual([USERS.kelley.id]);

  // Kelley's client refreshes: the full card. Jane's (a manual refresh): the read-only one.
  const kelleys = await refresh(USERS.kelley, id, card);
  expect(kelleys.actions?.map((a) => a.verb)).toEqual(['link.start', 'link.cancel']);
  const janes = await refresh(USERS.jane, id, card);
  expect(janes.actions ?? []).toEqual([]);

  // Kelley starts: the answered card (an outcome) replaces the base card for everyone.
  const started = await h.channel.invoke(
    USERS.kelley,
    'link.start',
    actionData(kelleys, 'link.start'),
    id,
    chat,
  );
  expect(started.status).toBe(200);
  const updates = h.channel.activities(chat).filter((a) => a.kind === 'update' && a.id === id);
  expect(updates.length).toBeGreaterThan(0);
  const next = h.channel.lastCard(chat) as { id: string; card: Json };
  expect(next.id).not.toBe(id);
  expect(cardText(next.card)).toContain('Only Kelley Wall can answer this card.');
  // The sign-in card's account list is Kelley's only.
  expect(JSON.stringify(next.card)).not.toContain('Input.ChoiceSet');
  const signIn = await refresh(USERS.kelley, next.id, next.card);
  expect(JSON.stringify(signIn)).toContain('Input.ChoiceSet');
  await h.channel.say(USERS.kelley, 'cancel', chat);
});

/** Clicks `verb` as Kelley on the last card, through her user-specific view of it. */
async function clickAsKelley(verb: string, inputs: Record<string, string> = {}) {
  const { id, card } = h.channel.lastCard(chat) as { id: string; card: Json };
  const full = card.refresh ? await refresh(USERS.kelley, id, card) : card;
  const answer = await h.channel.invoke(
    USERS.kelley,
    verb,
    {
      ...actionData(full, verb),
      ...(verb === 'impact.continue' ? acknowledged(full) : {}),
      ...inputs,
    },
    id,
    chat,
  );
  expect(answer.status).toBe(200);
  await h.app.background.idle();
}

it("offers the key vault update after a link in a group chat to the initiator's view only", async () => {
  h.sandbox.reset();
  expect(await h.channel.say(USERS.kelley, 'link', chat)).toBe(200);
  await clickAsKelley('link.start');
  await clickAsKelley('signin.select', { choice: `kelley-work|${IDS.tenants.contoso}` });
  await clickAsKelley('signin.select', { choice: `kelley-msa|${IDS.tenants.defaultDirectory}` });
  await clickAsKelley('subscription.choose', { subscriptionId: IDS.subscriptions.payAsYouGo });
  await clickAsKelley('impact.continue');
  await clickAsKelley('move.confirm', { typedName: 'Pay-As-You-Go' });
  await clickAsKelley('access.grant', { principalIds: IDS.users.janeContoso, role: 'Reader' });
  expect(h.channel.texts(chat).some((t) => /^Done:/.test(t))).toBe(true);

  // The checklist everyone sees: read-only, who can answer, a refresh for Kelley.
  const { id, card } = h.channel.lastCard(chat) as { id: string; card: Json };
  expect(cardText(card)).toContain('Only Kelley Wall can answer this card.');
  expect(JSON.stringify(card)).not.toContain('keyvault.fix');
  expect((card.refresh as { userIds: string[] }).userIds).toEqual([USERS.kelley.id]);

  // Kelley's client gets the offer; Jane's refresh (by hand) gets the read-only card.
  const kelleys = await refresh(USERS.kelley, id, card);
  expect(kelleys.actions?.map((a) => a.verb)).toEqual(['keyvault.fix', 'checklist.done']);
  const janes = await refresh(USERS.jane, id, card);
  expect(JSON.stringify(janes)).not.toContain('keyvault.fix');

  // Kelley updates the key vaults from her view: done, and in the audit trail.
  const flowId = String(actionData(kelleys, 'keyvault.fix').flowId);
  const fixed = await h.channel.invoke(
    USERS.kelley,
    'keyvault.fix',
    { ...actionData(kelleys, 'keyvault.fix'), confirmKeyVaults: 'true' },
    id,
    chat,
  );
  expect(fixed.status).toBe(200);
  await h.app.background.idle();
  const audit = (await h.app.changes.get(flowId))?.audit ?? [];
  expect(audit.filter((a) => a.action === 'keyVaultTenant' && a.outcome === 'ok')).toHaveLength(1);
});
