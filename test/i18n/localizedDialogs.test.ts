import { IDS } from '../../src/sandbox';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, runLink, startHarness, type Harness } from '../helpers/testApp';

/** The bot in the admin's language: chosen per activity from `activity.locale`, with fallback. */

let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  h.channel.locale = 'en-US';
  await h.channel.say(USERS.kelley, 'sign out');
  h.sandbox.reset();
});
afterAll(async () => h?.stop());

describe.each([
  [
    'fr-CA',
    /Je lie votre client Office 365/,
    /Vous ne pouvez pas ajouter Office 365/,
    /Office 365 et Azure sont liés/,
  ],
  [
    'zh-TW',
    /逐步將您的 Office 365 租用戶連結/,
    /您無法將 Office 365 加入此目錄/,
    /Office 365 與 Azure 已連結/,
  ],
])('%s', (locale, help, roleRefused, linked) => {
  it('answers help in the language (fallback to the language’s locale)', async () => {
    h.channel.locale = locale;
    await h.channel.say(USERS.kelley, 'help');
    expect(h.channel.texts(chat).at(-1)).toMatch(help);
  });

  it('refuses add office365 without the role, in the language', async () => {
    h.channel.locale = locale;
    await h.channel.say(USERS.kelley, 'add office365');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `sam-msa|${IDS.tenants.defaultDirectory}`,
    });
    expect(cardText(h.channel.lastCard(chat).card)).toMatch(roleRefused);
  });

  it('runs the whole link in the language and tells the channel in it', async () => {
    h.channel.locale = locale;
    const team = `19:team-${locale}@thread.tacv2`;
    await h.channel.installInTeam(USERS.kelley, team, 'Contoso IT');
    await runLink(h);
    const notice = h.channel.activities(team).at(-1)!;
    expect(cardText(notice.activity.attachments[0].content)).toMatch(linked);
  });
});
