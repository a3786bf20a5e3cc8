import { IDS } from '../../src/sandbox';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, startHarness, type Harness } from '../helpers/testApp';

let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.channel.say(USERS.kelley, 'cancel');
  await h.channel.say(USERS.kelley, 'sign out');
});
afterAll(async () => h?.stop());

describe('commands', () => {
  it('help lists the commands; an unknown message points to help', async () => {
    await h.channel.say(USERS.kelley, 'help');
    expect(h.channel.texts(chat).at(-1)).toMatch(/\*\*link\*\*.*\n.*\*\*status\*\*/s);
    await h.channel.say(USERS.kelley, 'what?');
    expect(h.channel.texts(chat).at(-1)).toMatch(/did not understand/);
    // A message spelled like a member of every object is no command either (the commands that
    // begin another wiring of the link are looked up by their own keys only).
    for (const text of ['constructor', 'toString', '__proto__']) {
      await h.channel.say(USERS.kelley, text);
      expect(h.channel.texts(chat).at(-1)).toMatch(/did not understand/);
    }
  });

  it('status signs in to Azure and lists each subscription with the directory it trusts', async () => {
    await h.channel.say(USERS.kelley, 'status');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-msa|${IDS.tenants.defaultDirectory}`,
    });
    const text = cardText(h.channel.lastCard(chat).card);
    expect(text).toMatch(/Pay-As-You-Go/);
    expect(text).toMatch(/trusts Default Directory/);
  });

  it('my role lists the directory roles of the Office 365 account', async () => {
    await h.channel.say(USERS.kelley, 'my role');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
    expect(cardText(h.channel.lastCard(chat).card)).toMatch(/Global Administrator/);
  });

  it('my role for a user without roles says so', async () => {
    await h.channel.say(USERS.kelley, 'my role');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `jane-work|${IDS.tenants.contoso}`,
    });
    const all = [...h.channel.texts(chat), cardText(h.channel.lastCard(chat).card)].join('\n');
    expect(all).toMatch(/You hold no directory role: you are a user\./);
  });

  it('cancel with nothing in progress says so', async () => {
    await h.channel.say(USERS.kelley, 'cancel');
    expect(h.channel.texts(chat).at(-1)).toMatch(/There is nothing to cancel/);
  });

  it('help during a link answers and keeps the flow waiting on its card', async () => {
    await h.channel.say(USERS.kelley, 'link');
    await h.channel.say(USERS.kelley, 'help');
    expect(h.channel.texts(chat).at(-1)).toMatch(/still waiting on the last card/);
    const r = await click(h, USERS.kelley, chat, 'link.start');
    expect(cardText(r.body.value)).not.toMatch(/already answered/);
  });
});
