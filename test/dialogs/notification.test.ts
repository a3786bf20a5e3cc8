import { IDS } from '../../src/sandbox';
import { personalChat } from '../helpers/teamsChannel';
import { USERS, runLink, startHarness, type Harness } from '../helpers/testApp';

/** The channel notification when the bot was removed from the team in the meantime. */

let h: Harness;
const chat = personalChat(USERS.kelley);
const TEAM = '19:contoso-it@thread.tacv2';

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

it('drops the team reference on 403 BotNotInConversationRoster and tells the initiator', async () => {
  await h.channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
  expect(await h.app.references.list(IDS.tenants.contoso)).toHaveLength(1);
  // The bot was removed from the team without an uninstall event reaching it.
  h.channel.refuse.set(TEAM, { status: 403, code: 'BotNotInConversationRoster' });

  await runLink(h);

  expect(h.channel.activities(TEAM)).toHaveLength(0);
  expect(await h.app.references.list(IDS.tenants.contoso)).toHaveLength(0);
  expect(h.channel.texts(chat).at(-1)).toMatch(/Install me in a team to have its channel told/);
  // The link itself is complete.
  expect(
    h.sandbox
      .snapshot()
      .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)?.tenantId,
  ).toBe(IDS.tenants.contoso);
});
