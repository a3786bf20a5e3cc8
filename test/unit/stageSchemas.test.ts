import { TenantlinkError } from '../../src/errors';
import { ACCESS_JOB_STAGE } from '../../src/dialogs/link/accessDialog';
import {
  ACCESS_STAGE,
  IMPACT_STAGE,
  KEY_VAULT_STAGE,
  MOVE_STAGE,
  readStage,
} from '../../src/link/stageSchemas';

/**
 * A job's stage read back from the dialog state is checked before the job runs: a stage of
 * another version (or damaged) fails with TL-INTERNAL naming the field, instead of running with
 * wrong values.
 */

const flow = { flowId: 'f1', initiatorId: 'kelley', subscriptionId: 's1' };
const access = {
  ...flow,
  role: 'Reader',
  principalIds: ['u1', 'u2'],
  restore: true,
  restoreChoice: { chosen: [0, 2], listed: 50 },
  redirectUrl: 'https://portal.azure.com/#@contoso',
  locale: 'fr-FR',
};

it('reads back valid stages as they were written (other fields of the dialog kept)', () => {
  expect(readStage(ACCESS_STAGE, access, 'access')).toEqual(access);
  const move = { ...flow, destinationTenantId: 't2', destinationOwnerId: 'o' };
  expect(readStage(MOVE_STAGE, move, 'move')).toEqual(move);
  const impact = {
    ...flow,
    initiatorName: 'Kelley Wall',
    subscriptionName: 'Pay-As-You-Go',
    sourceTenantId: 't1',
    destinationTenantId: 't2',
  };
  expect(readStage(IMPACT_STAGE, impact, 'impact')).toEqual(impact);
  // With the directories' names (kept for the record), and without (a stage of before).
  const named = { ...impact, sourceTenantName: 'Fabrikam', destinationTenantName: 'Contoso' };
  expect(readStage(IMPACT_STAGE, named, 'impact')).toEqual(named);
  expect(readStage(KEY_VAULT_STAGE, { ...flow, tenantId: 't2' }, 'keyVaults')).toEqual({
    ...flow,
    tenantId: 't2',
  });
});

const broken: [string, unknown, string][] = [
  ['ids as one string (an older format)', { ...access, principalIds: 'u1,u2' }, 'principalIds'],
  ['toggle as a string', { ...access, restore: 'true' }, 'restore'],
  ['a role tenantlink does not grant', { ...access, role: 'User Access Administrator' }, 'role'],
  ['no flow id', { ...access, flowId: undefined }, 'flowId'],
  [
    'a negative restore index',
    { ...access, restoreChoice: { chosen: [-1], listed: 50 } },
    'restoreChoice.chosen.0',
  ],
  ['not an object', 'access', '(root)'],
];

it.each(broken)('refuses an access stage with %s, naming the field', (_name, stage, field) => {
  let thrown: unknown;
  try {
    readStage(ACCESS_STAGE, stage, 'access');
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(TenantlinkError);
  expect((thrown as TenantlinkError).code).toBe('TL-INTERNAL');
  expect((thrown as TenantlinkError).message).toContain(
    `access job's stage does not fit: ${field}`,
  );
});

it('resumes an access job stored before its notice named the initiator (a deploy mid-grant)', () => {
  const notice = {
    subscription: { subscriptionId: 's1', displayName: 'Pay-As-You-Go' },
    org: { tenantId: 't2', displayName: 'Contoso' },
    office365: { displayName: 'Contoso' },
    portalUrl: 'https://portal.azure.com',
  };
  const stored = { ...access, notice };
  expect(readStage(ACCESS_JOB_STAGE, stored, 'access').notice.initiatorName).toBe('');
  const named = { ...access, notice: { ...notice, initiatorName: 'Kelley Wall' } };
  expect(readStage(ACCESS_JOB_STAGE, named, 'access').notice.initiatorName).toBe('Kelley Wall');
});

it("says why the first field does not fit, in zod's words", () => {
  expect(() => readStage(ACCESS_STAGE, { ...access, restore: 'true' }, 'access')).toThrow(
    /stage does not fit: restore Expected boolean, received string$/,
  );
});
