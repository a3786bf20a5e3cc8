import { IDS } from '../../src/sandbox';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';

/** The admin chooses on the grant card which removed assignments to give back. */

let h: Harness;
const chat = personalChat(USERS.kelley);
const S = IDS.subscriptions;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const cardTexts = (): string[] =>
  h.channel.activities(chat).map((a) => cardText(a.activity.attachments?.[0]?.content));

it('gives back only what the admin left checked, and refuses a choice that was not offered', async () => {
  await linkUpToConfirm(h);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  // A forged choice: the card comes back, nothing is given back.
  const forged = await click(h, USERS.kelley, chat, 'access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
    restore: 'true',
    restoreIds: 'r99',
  });
  expect(cardText(forged.body.value)).toMatch(/What to give back/);
  expect(h.sandbox.snapshot().invitations).toEqual([]);
  // r1 is Sam's Contributor at the subscription; the others are left unchecked.
  await click(h, USERS.kelley, chat, 'access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
    restore: 'true',
    restoreIds: 'r1',
  });
  const grant = cardTexts()
    .filter((t) => t.includes('What to give back'))
    .at(-1)!;
  expect(grant).toMatch(/kelley\.wall@outlook\.com · Owner · \/ \(guest invitation\)/);
  expect(grant).toMatch(
    /sam\.dev@outlook\.com · Reader · resourceGroups\/rg-web \(guest invitation\)/,
  );

  const snapshot = h.sandbox.snapshot();
  expect(snapshot.invitations.map((i) => i.invitedUserEmailAddress)).toEqual([
    'sam.dev@outlook.com',
  ]);
  const sam = snapshot.invitations[0]!.invitedUserId;
  const payg = snapshot.subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
  expect(payg.roleAssignments.filter((a) => a.principalId === sam)).toHaveLength(1);
  const report = cardTexts()
    .filter((t) => t.includes('Access carried across'))
    .at(-1)!;
  expect(report).toContain(
    '0 restored, 1 restored after a guest invitation, 0 already there, 4 not carried, 0 failed.',
  );
  expect(report.match(/not carried: not chosen/g)).toHaveLength(3);
});
