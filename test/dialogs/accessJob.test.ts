import { MAX_INPUT_CHARS } from '../../src/dialogs/cardPrompt';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { IDS } from '../../src/sandbox';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';
import { until } from '../helpers/until';

/**
 * The grant card's click is answered at once; giving access, carrying the removed access across
 * and testing it run afterwards as a leased background job that reports back to the chat (with
 * real ARM, invitations and replication retries take longer than Teams waits for an answer).
 * The sandbox parks the role-assignment writes until the test releases them: the test looks at
 * the world while the job is in flight, without timing.
 */

const S = IDS.subscriptions;
const chat = personalChat(USERS.kelley);
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const assignmentsOf = (principalId: string) =>
  h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!
    .roleAssignments.filter(
      (a) => a.principalId === principalId && a.roleDefinitionId === BUILT_IN_ROLES.Reader,
    );

it('answers the grant click before any access is given, then reports the results', async () => {
  await linkUpToConfirm(h);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  h.sandbox.setFaults({
    rules: [{ api: 'arm', method: 'PUT', path: 'roleAssignments/', hold: true }],
  });
  const grant = h.channel.lastCard(chat);
  const flowId = String(actionData(grant.card, 'access.grant').flowId);
  const data = {
    ...actionData(grant.card, 'access.grant'),
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
  };
  // Straight through the channel: the invoke's answer is not waited behind the job.
  const answer = await h.channel.invoke(USERS.kelley, 'access.grant', data, grant.id, chat);
  expect(answer.status).toBe(200);
  expect(cardText(answer.body.value)).toContain('Giving Reader to 1 account');

  // The job is at Azure now, parked; nothing is given yet and no result is shown.
  await until(() => h.sandbox.heldRequests() > 0);
  expect(assignmentsOf(IDS.users.janeContoso)).toHaveLength(0);
  expect(h.channel.texts(chat).some((t) => /^Done:/.test(t))).toBe(false);

  h.sandbox.releaseHeld();
  await h.app.background.idle();
  await until(() => /^Done:/.test(h.channel.texts(chat).at(-1) ?? ''));
  expect(assignmentsOf(IDS.users.janeContoso)).toHaveLength(1);
  expect(await h.app.changes.get(flowId)).toMatchObject({ status: 'notified' });
  // The clicked card showed how far the job got, updated in place, before the results.
  const progress = h.channel
    .activities(chat)
    .filter((a) => a.kind === 'update' && a.id === grant.id)
    .map((a) => cardText(a.activity.attachments?.[0]?.content ?? {}));
  expect(progress.at(-1)).toContain('Giving Reader: 1 of 1 accounts done');
});

it('refuses an input longer than a card can carry instead of cutting the list of accounts', async () => {
  h.sandbox.reset();
  await linkUpToConfirm(h);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  const grant = h.channel.lastCard(chat);
  const ids = Array.from(
    { length: 500 },
    (_, i) => `0e0e0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  ).join(',');
  expect(ids.length).toBeGreaterThan(MAX_INPUT_CHARS);
  const writes = h.sandbox.writeLog().length;
  const answer = await h.channel.invoke(
    USERS.kelley,
    'access.grant',
    { ...actionData(grant.card, 'access.grant'), principalIds: ids, role: 'Reader' },
    grant.id,
    chat,
  );
  expect(answer.status).toBe(200);
  // The same grant card comes back; nothing was started or written.
  expect(JSON.stringify(answer.body.value)).toContain('access.grant');
  await h.app.background.idle();
  expect(h.sandbox.writeLog()).toHaveLength(writes);
});
