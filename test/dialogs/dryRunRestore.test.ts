import { IDS } from '../../src/sandbox';
import { personalChat } from '../helpers/teamsChannel';
import { USERS, dryRunPlan, runLink, startHarness, type Harness } from '../helpers/testApp';

/**
 * `link --dry-run` with the restore on: the invitations and role assignments of the restore are
 * listed, nothing is written, and a real run then makes the same writes in the same order (an
 * invited guest's object id exists only once invited, so its assignments are compared by scope).
 */

let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

/** `METHOD path` with a role assignment's name (it depends on the principal) left out. */
const shape = (line: string): string =>
  line.replace(/roleAssignments\/[0-9a-f-]{36}$/i, 'roleAssignments/…');

it('lists the restore writes in a dry run, writes nothing, and a real run makes them', async () => {
  const before = h.sandbox.snapshot();
  h.sandbox.resetCallCounts();
  await runLink(h, { command: 'link --dry-run', restore: true });
  expect(h.sandbox.writeLog()).toEqual([]);
  expect(h.sandbox.snapshot()).toEqual(before);
  const plan = dryRunPlan(h, chat);
  // Move (2), Jane's grant (1), three invitations, four user assignments.
  expect(plan).toHaveLength(10);
  expect(plan.filter((p) => p === 'POST /invitations')).toHaveLength(3);

  h.sandbox.resetCallCounts();
  await runLink(h, { restore: true });
  const real = h.sandbox.writeLog().map((w) => `${w.method} ${w.path}`);
  expect(real.slice(0, 2)).toEqual(plan.slice(0, 2));
  // Invitations and assignments are made concurrently: compared as sets of shapes.
  expect(real.slice(2).map(shape).sort()).toEqual(plan.slice(2).map(shape).sort());
  expect(
    h.sandbox
      .snapshot()
      .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)?.tenantId,
  ).toBe(IDS.tenants.contoso);
});
