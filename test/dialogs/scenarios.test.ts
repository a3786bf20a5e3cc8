import { IDS } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, startHarness, type Harness } from '../helpers/testApp';

/** The seeds' other scenarios (003 and 004) as commands: signup, add office365, explain. */

let h: Harness;
const chat = personalChat(USERS.kelley);
const T = IDS.tenants;

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.channel.say(USERS.kelley, 'sign out');
  h.sandbox.reset();
});
afterAll(async () => h?.stop());

const lastCard = (): string => cardText(h.channel.lastCard(chat).card);

describe('signup (an Office 365 user wants Azure)', () => {
  it('explains the sign-up while no subscription trusts the Office 365 directory', async () => {
    await h.channel.say(USERS.kelley, 'signup');
    await click(h, USERS.kelley, chat, 'signin.select', { choice: `kelley-work|${T.contoso}` });
    expect(lastCard()).toMatch(/Sign up for Azure with your Office 365 account/);
    expect(lastCard()).toContain('https://signup.azure.com/');
  });

  it('confirms with the Office 365 account’s ARM token once a subscription trusts the directory', async () => {
    const http = new SandboxHttp(h.sandbox);
    await http.call(
      'POST',
      `/_sandbox/portal/subscriptions/${IDS.subscriptions.devTest}/changeDirectory`,
      {
        body: { destinationTenantId: T.contoso, ownerObjectId: IDS.users.kelleyContoso },
      },
    );
    await http.close();
    await h.channel.say(USERS.kelley, 'signup');
    await click(h, USERS.kelley, chat, 'signin.select', { choice: `kelley-work|${T.contoso}` });
    expect(lastCard()).toMatch(/Azure already trusts Contoso/);
    expect(lastCard()).toContain('Dev/Test');
  });
});

describe('add office365 (an Azure user wants Office 365)', () => {
  it('refuses a user who is neither global nor billing administrator', async () => {
    await h.channel.say(USERS.kelley, 'add office365');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `sam-msa|${T.defaultDirectory}`,
    });
    expect(lastCard()).toMatch(/You cannot add Office 365 to this directory/);
    expect(lastCard()).toMatch(/Global Administrator or Billing Administrator/);
  });

  it('guides a billing administrator of a directory without Office 365', async () => {
    await h.channel.say(USERS.kelley, 'add office365');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `reader-msa|${T.defaultDirectory}`,
    });
    expect(lastCard()).toMatch(/Add Office 365 to Default Directory/);
  });

  it('confirms a directory that has Office 365 and lists the subscriptions that trust it', async () => {
    await h.channel.say(USERS.kelley, 'add office365');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${T.contoso}`,
    });
    expect(lastCard()).toMatch(/Contoso has Office 365/);
    expect(lastCard()).toContain('ENTERPRISEPACK');
  });
});

describe('explain', () => {
  it('explains with the user’s own directories and subscriptions', async () => {
    await h.channel.say(USERS.kelley, 'explain');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-msa|${T.defaultDirectory}`,
    });
    expect(lastCard()).toMatch(/Every Azure subscription trusts exactly one directory/);
    expect(lastCard()).toMatch(/Pay-As-You-Go[\s\S]*trusts Default Directory/);
    // Billing in plain words (issue 17): the directory change does not move the bill.
    expect(lastCard()).toMatch(/Billing does not move[\s\S]*Transfer billing ownership/);
  });
});
