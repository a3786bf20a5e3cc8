import { IDS } from '../../src/sandbox';
import type { Json } from '../helpers/sandboxHttp';
import { USERS, runLink, startHarness, type Harness } from '../helpers/testApp';

/**
 * The whole link in the pseudo-locale qps-ploc: every text the user reads on a card or in a
 * message must come from the resource files (pseudo-localized strings are wrapped in ⟦ ⟧), so a
 * hard-coded English string fails this test. Data (names, ids, emails) may stand alone.
 */

let h: Harness;
const TEAM = '19:contoso-it@thread.tacv2';

beforeAll(async () => {
  h = await startHarness();
  h.channel.locale = 'qps-ploc';
  await h.channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
});
afterAll(async () => h?.stop());

/** Strings of a card that are UI text (not data): TextBlock text, titles, labels, placeholders. */
function uiStrings(card: Json): string[] {
  const out: string[] = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    if (node.type === 'TextBlock' && typeof node.text === 'string') out.push(node.text);
    if (typeof node.type === 'string' && node.type.startsWith('Action.')) out.push(node.title);
    if (typeof node.type === 'string' && node.type.startsWith('Input.')) {
      for (const k of ['label', 'placeholder', 'errorMessage'] as const)
        if (typeof node[k] === 'string') out.push(node[k]);
    }
    Object.values(node).forEach(walk);
  };
  walk(card);
  return out.filter((s) => s.trim() !== '');
}

/** Data that may be shown as is: subscription and people names, emails, ids, scopes. */
const DATA =
  /^(•\s*)?[\w .@()/-]*(Pay-As-You-Go|@|[0-9a-f]{8}-|\/subscriptions\/|Kelley|Jane|Tricia|Contoso)[\w .@()/-]*$/;

it('shows no hard-coded string in the whole link', async () => {
  await runLink(h);
  await h.channel.say(USERS.kelley, 'history');

  const seen: string[] = [];
  for (const a of h.channel.sent) {
    if (typeof a.activity.text === 'string') seen.push(a.activity.text);
    for (const att of a.activity.attachments ?? []) seen.push(...uiStrings(att.content));
  }
  expect(seen.length).toBeGreaterThan(40);
  // Dates are Adaptive Cards' DATE()/TIME(): each reader's client writes them in its own format.
  const hardCoded = seen
    .map((s) => s.replace(/ · \{\{DATE\([^)]*\)\}\} \{\{TIME\([^)]*\)\}\}/g, ''))
    .filter((s) => !s.includes('⟦') && !DATA.test(s));
  expect(hardCoded).toEqual([]);
  // The move really happened in the pseudo-locale too.
  expect(
    h.sandbox
      .snapshot()
      .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)?.tenantId,
  ).toBe(IDS.tenants.contoso);
});
