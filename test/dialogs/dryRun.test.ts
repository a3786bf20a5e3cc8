import { IDS } from '../../src/sandbox';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, dryRunPlan, runLink, startHarness, type Harness } from '../helpers/testApp';

/**
 * `link --dry-run` reads everything and writes nothing to Graph or ARM, and lists the writes a
 * real run then makes: the same list, in the same order.
 */

let h: Harness;
const chat = personalChat(USERS.kelley);
const TEAM = '19:contoso-it@thread.tacv2';

beforeAll(async () => {
  h = await startHarness();
  await h.channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
});
afterAll(async () => h?.stop());

const run = (command: string): Promise<void> =>
  runLink(h, {
    command,
    principalIds: [IDS.users.janeContoso, IDS.users.triciaContoso],
    role: 'Reader',
  });

it('writes nothing in a dry run, and lists exactly the writes a real run makes', async () => {
  const before = h.sandbox.snapshot();
  h.sandbox.resetCallCounts();
  await run('link --dry-run');
  expect(h.sandbox.writeLog()).toEqual([]);
  expect(h.sandbox.snapshot()).toEqual(before);
  const plan = dryRunPlan(h, chat);
  expect(plan).toHaveLength(4);
  expect(h.channel.texts(chat).at(-1)).toMatch(/Dry run done: 4 writes listed, nothing changed/);
  const notice = h.channel.activities(TEAM).at(-1)!;
  expect(cardText(notice.activity.attachments[0].content)).toMatch(/Dry run/);
  // The welcome card said what a dry run does.
  const welcome = h.channel
    .activities(chat)
    .map((a) => a.activity.attachments?.[0]?.content)
    .filter((c) => c && cardText(c).includes('Link an Office 365 tenant'))
    .at(-1);
  expect(cardText(welcome)).toMatch(/Dry run: I sign in, check, read/);

  h.sandbox.resetCallCounts();
  await run('link');
  const real = h.sandbox.writeLog().map((w) => `${w.method} ${w.path}`);
  // The move in order, then the grants (made concurrently, so compared as a set).
  expect(real.slice(0, 2)).toEqual(plan.slice(0, 2));
  expect([...real.slice(2)].sort()).toEqual([...plan.slice(2)].sort());
  expect(
    h.sandbox
      .snapshot()
      .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)?.tenantId,
  ).toBe(IDS.tenants.contoso);
});
