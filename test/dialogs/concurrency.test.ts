import { IDS } from '../../src/sandbox';
import { cardText, personalChat, type TeamsUser } from '../helpers/teamsChannel';
import { USERS, click, startHarness, type Harness } from '../helpers/testApp';

/** Two Contoso global admins try to link the same subscription at the same time. */

let h: Harness;
const T = IDS.tenants;
const S = IDS.subscriptions;

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.channel.say(USERS.kelley, 'cancel');
  await h.channel.say(USERS.megan, 'cancel');
  h.sandbox.reset();
});
afterAll(async () => h?.stop());

/** Runs a user's flow up to choosing Pay-As-You-Go (both sign in to Azure as its Owner). */
async function choosePayAsYouGo(user: TeamsUser, office365: string) {
  const chat = personalChat(user);
  await h.channel.say(user, 'link');
  await click(h, user, chat, 'link.start');
  await click(h, user, chat, 'signin.select', { choice: office365 });
  await click(h, user, chat, 'signin.select', { choice: `kelley-msa|${T.defaultDirectory}` });
  return click(h, user, chat, 'subscription.choose', { subscriptionId: S.payAsYouGo });
}

it('tells the second admin who holds the subscription and since when, until the first one cancels', async () => {
  await choosePayAsYouGo(USERS.kelley, `kelley-work|${T.contoso}`);
  const refused = await choosePayAsYouGo(USERS.megan, `megan-work|${T.contoso}`);
  expect(cardText(refused.body.value)).toMatch(
    /Pay-As-You-Go is already being linked by Kelley Wall since .*\d/,
  );
  expect(cardText(refused.body.value)).toContain('TL-LINK-SUBSCRIPTION-BUSY');

  // Kelley cancels with the command: the subscription is free again.
  await h.channel.say(USERS.kelley, 'cancel');
  const second = await choosePayAsYouGo(USERS.megan, `megan-work|${T.contoso}`);
  expect(cardText(second.body.value)).toMatch(/Subscription Pay-As-You-Go, which trusts/);
});

it('frees the subscription when a link ends', async () => {
  await choosePayAsYouGo(USERS.kelley, `kelley-work|${T.contoso}`);
  const chat = personalChat(USERS.kelley);
  await click(h, USERS.kelley, chat, 'link.cancel');
  const next = await choosePayAsYouGo(USERS.megan, `megan-work|${T.contoso}`);
  expect(cardText(next.body.value)).not.toMatch(/already being linked/);
});
