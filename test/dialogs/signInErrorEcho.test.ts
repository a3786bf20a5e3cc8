import { request } from 'undici';
import { IDS } from '../../src/sandbox';
import { personalChat } from '../helpers/teamsChannel';
import { USERS, click, startHarness, type Harness } from '../helpers/testApp';
import { until } from '../helpers/until';

/**
 * Issue 25, defect 3: the sign-in callback's `error` and `error_description` come from the
 * browser's URL, so anyone can craft them. Neither the page, nor the bot's chat message (Teams
 * turns a bare URL into a link), nor the log repeats them: a known code is named, anything else is
 * a fixed "sign-in failed".
 */

const T = IDS.tenants;
const S = IDS.subscriptions;
const chat = personalChat(USERS.kelley);
const LINK = 'https://evil.example/claim-your-prize';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

/** Up to the "open the sign-in page" card; returns its state. */
async function pendingState(): Promise<string> {
  await h.channel.say(USERS.kelley, 'link');
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', { choice: `kelley-work|${T.contoso}` });
  await click(h, USERS.kelley, chat, 'signin.select', { subscriptionId: S.payAsYouGo });
  const card = h.channel.lastCard(chat).card as { actions: { type: string; url?: string }[] };
  const open = card.actions.find((a) => a.type === 'Action.OpenUrl')!;
  return new URL(open.url!).searchParams.get('state')!;
}

/** The browser lands on tenantlink's callback with `params`. */
async function land(params: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(`${h.app.server.url}/auth/azure/callback`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await request(url);
  return { status: res.statusCode, body: await res.body.text() };
}

const said = (text: string): boolean => h.channel.texts(chat).some((t) => t.includes(text));
/** Everything the bot sent and updated in the chat, as text. */
const chatText = (): string => JSON.stringify(h.channel.activities(chat));

afterEach(async () => {
  await h.channel.say(USERS.kelley, 'cancel');
});

it('repeats no crafted error: a fixed "sign-in failed" on the page and in the chat', async () => {
  const state = await pendingState();
  const page = await land({
    state,
    error: `${LINK} ${'x'.repeat(3000)}`,
    error_description: `Your account is locked, unlock it at ${LINK}`,
  });
  expect(page.status).toBe(200);
  expect(page.body).toContain('TL-AUTH-SIGNIN-FAILED');
  expect(page.body).not.toContain('evil.example');
  await until(() => chatText().includes('TL-AUTH-SIGNIN-FAILED'));
  expect(chatText()).not.toContain('evil.example');
});

it("names a known code and nothing else of the description's text", async () => {
  const state = await pendingState();
  const page = await land({
    state,
    error: 'invalid_request',
    error_description: `AADSTS50011: The redirect URI does not match. Fix it at ${LINK}`,
  });
  expect(page.body).toContain('AADSTS50011');
  expect(page.body).not.toContain('evil.example');
  await until(() => chatText().includes('AADSTS50011'));
  expect(said('evil.example')).toBe(false);
  expect(chatText()).not.toContain('evil.example');
});
