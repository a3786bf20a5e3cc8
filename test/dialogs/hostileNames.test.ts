import { IDS, type Seed } from '../../src/sandbox';
import { draftSubscription, editedSeed } from '../helpers/seeds';
import { personalChat } from '../helpers/teamsChannel';
import type { Json } from '../helpers/sandboxHttp';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';

/**
 * Names are shown as text (issue 20, point 7): a subscription whose name is written to look like
 * an approval, a link and HTML, across several lines, appears escaped on every card and message of
 * the link, and the admin still confirms by typing the name as it really is.
 */

const HOSTILE = '**Approved by Microsoft** [Open](https://evil.example)\n<b>Prod</b>';

function seed(): Seed {
  return editedSeed((base) => {
    draftSubscription(base, IDS.subscriptions.payAsYouGo).displayName = HOSTILE;
  });
}

/**
 * The strings of a card that Teams renders as Markdown: TextBlock text and Fact title and value
 * (an input's placeholder is plain text and shows the name as it is, to be typed).
 */
function markdownText(card: Json): string {
  const out: string[] = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (node.type === 'TextBlock' && typeof node.text === 'string') out.push(node.text);
      if (typeof node.title === 'string' && typeof node.value === 'string')
        out.push(node.title, node.value);
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return out.join('\n');
}

let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  h = await startHarness({}, seed());
});
afterAll(async () => h?.stop());

it('escapes the name on the impact and confirm cards and in messages, and moves when it is typed as it is', async () => {
  await linkUpToConfirm(h);
  const shown = [
    ...h.channel.texts(chat),
    ...h.channel.activities(chat).map((a) => markdownText(a.activity.attachments?.[0]?.content)),
  ].join('\n');
  expect(shown).toContain('\\*\\*Approved by Microsoft\\*\\*');
  // Nowhere is the name shown raw in a Markdown place: no bold, no link, no HTML, no line break.
  expect(shown).not.toMatch(/(^|[^\\])\*\*Approved/);
  expect(shown).not.toMatch(/(^|[^\\])\[Open(\\)?\]\(/);
  expect(shown).not.toMatch(/(^|[^\\])<b>/);
  expect(shown).not.toContain('https://evil.example)\n');
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: HOSTILE });
  const moved = h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  expect(moved.tenantId).toBe(IDS.tenants.contoso);
});
