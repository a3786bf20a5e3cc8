import { IDS } from '../../src/sandbox';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToChoose, startHarness, type Harness } from '../helpers/testApp';

/**
 * Rule R2 as Entra ID decides Global Administrator: held through a role-assignable group counts
 * (Lidia), eligible through Privileged Identity Management but not activated does not, and the
 * admin is told to activate the role (Nestor).
 */

let h: Harness;
const chat = personalChat(USERS.kelley);
const cards = () =>
  h.channel.activities(chat).map((a) => cardText(a.activity.attachments?.[0]?.content ?? ''));

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.channel.say(USERS.kelley, 'cancel');
  await h.channel.say(USERS.kelley, 'sign out');
});
afterAll(async () => h?.stop());

it('lets a Global Administrator through a role-assignable group link (R2 passes)', async () => {
  await linkUpToChoose(h, { office365: `lidia-work|${IDS.tenants.contoso}` });
  expect(cardText(h.channel.lastCard(chat).card)).toMatch(/Choose the subscription/);
  const preflight = cards().find((t) => /Before you begin/.test(t)) ?? '';
  expect(preflight).not.toMatch(/not a Global Administrator|not active/);
});

it('tells an admin only eligible through PIM to activate the role, and stops', async () => {
  await linkUpToChoose(h, { office365: `nestor-work|${IDS.tenants.contoso}` });
  const preflight =
    cards()
      .filter((t) => /Before you begin/.test(t))
      .at(-1) ?? '';
  expect(preflight).toMatch(/Privileged Identity Management, but the role is not active now/);
  expect(preflight).toMatch(/Activate your Global Administrator role/);
  expect(h.sandbox.writeLog()).toEqual([]);
});

it('shows the role held through a group in "my role"', async () => {
  await h.channel.say(USERS.kelley, 'link');
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `lidia-work|${IDS.tenants.contoso}`,
  });
  await h.channel.say(USERS.kelley, 'cancel');
  await h.channel.say(USERS.kelley, 'my role');
  expect(cardText(h.channel.lastCard(chat).card)).toMatch(/Global Administrator/);
});
