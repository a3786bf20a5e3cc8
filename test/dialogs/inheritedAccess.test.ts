import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { IDS, type Seed } from '../../src/sandbox';
import { draftSubscription, editedSeed } from '../helpers/seeds';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';

/**
 * Role assignments inherited from a management group or the root are listed by ARM with the
 * subscription's own. The move does not delete them where they are, but they stop applying and
 * cannot be re-created at their scope: the impact card lists them apart, and the restore never
 * "gives them back" as if they were on the subscription.
 */

const MG = `/providers/Microsoft.Management/managementGroups/${IDS.tenants.defaultDirectory}`;
const INHERITED_NAME = '3c1d7f0e-2a4b-4c6d-8e9f-0a1b2c3d4e5f';

function seed(): Seed {
  return editedSeed((base) => {
    draftSubscription(base, IDS.subscriptions.payAsYouGo).roleAssignments.push({
      name: INHERITED_NAME,
      principalId: IDS.users.samMsaInDefault,
      principalType: 'User',
      roleDefinitionId: BUILT_IN_ROLES.Owner,
      scope: MG,
    });
  });
}

let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  h = await startHarness({}, seed());
});
afterAll(async () => h?.stop());

it('lists inherited access apart on the impact card and never restores it on the subscription', async () => {
  await linkUpToConfirm(h);
  const impact = h.channel
    .activities(chat)
    .map((a) => cardText(a.activity.attachments?.[0]?.content ?? ''))
    .find((t) => /inherited from a management group/.test(t));
  expect(impact).toBeDefined();
  expect(impact).toMatch(/1 role assignment is inherited/);
  expect(impact).toContain(MG);
  // The removed list still counts only the subscription's own assignments (5 in the seed).
  expect(impact).toMatch(/removes all 5 role assignments/);

  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await click(h, USERS.kelley, chat, 'access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
    restore: 'true',
  });
  const moved = h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  expect(moved.tenantId).toBe(IDS.tenants.contoso);
  // Nothing was written at the management group's scope; the inherited assignment is in no
  // backup, restore plan or restore report: only the subscription's own were carried.
  const writes = h.sandbox.writeLog().map((w) => `${w.method} ${w.path}`);
  expect(writes.some((w) => w.includes('managementGroups'))).toBe(false);
  const [record] = await h.app.changes.recent(IDS.tenants.contoso, 1);
  const ids = (xs: readonly { assignmentId?: string; id?: string }[] = []) =>
    xs.map((x) => x.assignmentId ?? x.id ?? '');
  const inherited = (id: string) => id.endsWith(INHERITED_NAME);
  expect(ids(record!.backup).some(inherited)).toBe(false);
  expect(ids(record!.restorePlan).some(inherited)).toBe(false);
  expect(ids(record!.restoreReport).some(inherited)).toBe(false);
  expect(record!.restoreReport?.length).toBe(record!.backup.length);
});
