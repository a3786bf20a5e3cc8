import { IDS } from '../../src/sandbox';
import { Localizer } from '../../src/i18n';
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

const localizer = new Localizer();

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
  [
    'sv-SE',
    /Jag kopplar din Office 365-klient/,
    /Du kan inte lägga till Office 365/,
    /Office 365 och Azure är kopplade/,
  ],
  [
    'nl-BE',
    /Ik koppel uw Office 365-tenant/,
    /U kunt Office 365 niet aan deze directory toevoegen/,
    /Office 365 en Azure zijn gekoppeld/,
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
  it('runs signup, explain, my role and status in the language', async () => {
    h.channel.locale = locale;
    const tag = localizer.resolve(locale);
    const shown = async (command: string, choice: string): Promise<string> => {
      await h.channel.say(USERS.kelley, command);
      await click(h, USERS.kelley, chat, 'signin.select', { choice });
      return cardText(h.channel.lastCard(chat).card);
    };
    expect(await shown('signup', `kelley-work|${IDS.tenants.contoso}`)).toContain(
      localizer.t(tag, 'signup.title'),
    );
    expect(await shown('explain', `kelley-msa|${IDS.tenants.defaultDirectory}`)).toContain(
      localizer.t(tag, 'explain.title'),
    );
    await h.channel.say(USERS.kelley, 'sign out');
    expect(await shown('my role', `kelley-work|${IDS.tenants.contoso}`)).toContain(
      localizer.t(tag, 'myRole.text', { count: 1 }),
    );
    expect(await shown('status', `kelley-msa|${IDS.tenants.defaultDirectory}`)).toContain(
      localizer.t(tag, 'status.text', { count: 3 }),
    );
    // None of it fell back to English.
    expect(localizer.t(tag, 'signup.title')).not.toBe(localizer.t('en-US', 'signup.title'));
  });
});
