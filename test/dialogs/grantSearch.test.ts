import { IDS, type Seed } from '../../src/sandbox';
import { draftTenant, editedSeed } from '../helpers/seeds';
import { personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';

/**
 * A directory with more users than the grant card lists (50): the card's typeahead searches the
 * Office 365 directory live (Graph `$search`), and an account found that way can be given access;
 * a chosen id that is not a user of the directory is left out, and said so.
 */

const EXTRA = 70;
const userId = (i: number) => `7a0e0000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function seed(): Seed {
  return editedSeed((base) => {
    const contoso = draftTenant(base, IDS.tenants.contoso);
    for (let i = 0; i < EXTRA; i++) {
      contoso.users.push({
        id: userId(i),
        accountId: `search-${i}`,
        displayName: `Zed Person ${i}`,
        givenName: 'Zed',
        surname: `Person ${i}`,
        userPrincipalName: `zed${i}@contoso.onmicrosoft.com`,
        mail: `zed${i}@contoso.onmicrosoft.com`,
        otherMails: [],
        userType: 'Member',
        jobTitle: null,
      });
    }
  });
}

let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  h = await startHarness({}, seed());
});
afterAll(async () => h?.stop());

it('finds an account the card does not list and gives it access; leaves out an unknown id', async () => {
  await linkUpToConfirm(h);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  const { card } = h.channel.lastCard(chat);
  const list = (card.body as Record<string, unknown>[]).find((b) => b.id === 'principalIds')!;
  expect(list.style).toBe('filtered');
  expect((list.choices as unknown[]).length).toBe(50);
  const dataset = (list['choices.data'] as { dataset: string }).dataset;
  expect(JSON.stringify(list.choices)).not.toContain(userId(69));

  const found = await h.channel.search(USERS.kelley, dataset, 'Zed Person 69');
  expect(found.body.value.results).toEqual([
    { title: 'Zed Person 69 (zed69@contoso.onmicrosoft.com)', value: userId(69) },
  ]);
  // Someone else's search in this chat is not answered.
  expect((await h.channel.search(USERS.jane, dataset, 'Zed', chat)).body.value.results).toEqual([]);

  await click(h, USERS.kelley, chat, 'access.grant', {
    principalIds: `${userId(69)},not-a-user-id`,
    role: 'Reader',
  });
  expect(h.channel.texts(chat)).toContain('1 chosen account is not in Contoso and was left out.');
  const sub = h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  expect(sub.roleAssignments.filter((a) => a.principalId === userId(69))).toHaveLength(1);
  expect(h.channel.texts(chat).at(-1)).toMatch(/^Done:/);
});
