import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { IDS, type Seed } from '../../src/sandbox';
import { editedSeed } from '../helpers/seeds';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToChoose, startHarness, type Harness } from '../helpers/testApp';

/**
 * An admin who owns more subscriptions than the choose card can list (50) finds any of them with
 * the card's typeahead search (Data.Query, `application/search`), and can choose one that the
 * card does not list. Only the initiator's search is answered.
 */

const EXTRA = 60;
const extraId = (i: number) => `5e0e0000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function seed(): Seed {
  return editedSeed((base) => {
    for (let i = 0; i < EXTRA; i++) {
      base.subscriptions.push({
        subscriptionId: extraId(i),
        displayName: `Extra ${String(i).padStart(2, '0')}`,
        tenantId: IDS.tenants.defaultDirectory,
        changeTenant: 'allowed',
        roleAssignments: [
          {
            name: `6e0e0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            principalId: IDS.users.kelleyMsaInDefault,
            principalType: 'User',
            roleDefinitionId: BUILT_IN_ROLES.Owner,
            scope: '',
          },
        ],
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

it('searches every subscription from the card, answers only the initiator, and accepts a choice the card did not list', async () => {
  await linkUpToChoose(h);
  const { card } = h.channel.lastCard(chat);
  const list = (card.body as Record<string, unknown>[]).find((b) => b.type === 'Input.ChoiceSet')!;
  expect(list.style).toBe('filtered');
  const dataset = (list['choices.data'] as { dataset: string }).dataset;
  expect((list.choices as unknown[]).length).toBe(50);
  // "Extra 59" sorts after the first 50: it is not on the card.
  expect(JSON.stringify(list.choices)).not.toContain(extraId(59));

  const found = await h.channel.search(USERS.kelley, dataset, 'extra 59');
  expect(found.status).toBe(200);
  expect(found.body.type).toBe('application/vnd.microsoft.search.searchResponse');
  expect(found.body.value.results).toEqual([
    expect.objectContaining({ value: extraId(59), title: expect.stringContaining('Extra 59') }),
  ]);
  const many = await h.channel.search(USERS.kelley, dataset, 'extra');
  expect(many.body.value.results).toHaveLength(15);

  // Someone else typing in the same chat, or a search of another card, finds nothing.
  expect((await h.channel.search(USERS.jane, dataset, 'extra', chat)).body.value.results).toEqual(
    [],
  );
  expect(
    (await h.channel.search(USERS.kelley, 'subscriptions:other', 'extra')).body.value.results,
  ).toEqual([]);

  const chosen = await click(h, USERS.kelley, chat, 'subscription.choose', {
    subscriptionId: extraId(59),
  });
  expect(cardText(chosen.body.value)).toMatch(/Extra 59/);
  expect(cardText(h.channel.lastCard(chat).card)).toMatch(/Who loses access to Extra 59/);
});
