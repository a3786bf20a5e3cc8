import { actionData, cardText, groupChat } from '../helpers/teamsChannel';
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
