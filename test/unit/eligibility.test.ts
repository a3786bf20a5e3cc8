import {
  PARTNER_QUOTA_IDS,
  STUDENTS_STARTER_QUOTA_ID,
  directoryChangeBlocker,
  isAboutToBeDisabled,
} from '../../src/domain/eligibility';

/** Which subscriptions can change directory, per the offers and states Microsoft documents. */

it.each(PARTNER_QUOTA_IDS)('a partner (CSP) subscription, quota id %s, cannot move', (quotaId) => {
  expect(directoryChangeBlocker({ state: 'Enabled', quotaId })).toBe('partner');
  expect(directoryChangeBlocker({ state: 'Enabled', quotaId: quotaId.toLowerCase() })).toBe(
    'partner',
  );
});

it('Azure for Students Starter cannot move; ordinary offers can', () => {
  expect(directoryChangeBlocker({ state: 'Enabled', quotaId: STUDENTS_STARTER_QUOTA_ID })).toBe(
    'studentsStarter',
  );
  for (const quotaId of [
    'PayAsYouGo_2014-09-01',
    'MSDN_2014-09-01',
    'EnterpriseAgreement_2014-09-01',
    'AzureForStudents_2018-01-01',
    undefined,
  ]) {
    expect(directoryChangeBlocker({ state: 'Enabled', quotaId })).toBeUndefined();
  }
});

it.each([
  ['Disabled', 'disabled'],
  ['Expired', 'disabled'],
  ['Deleted', 'deleted'],
  ['Enabled', undefined],
  ['Warned', undefined],
  ['PastDue', undefined],
])('state %s → %s', (state, blocker) => {
  expect(directoryChangeBlocker({ state })).toBe(blocker);
});

it('Warned and PastDue are about to be disabled; Enabled is not', () => {
  expect(isAboutToBeDisabled({ state: 'Warned' })).toBe(true);
  expect(isAboutToBeDisabled({ state: 'PastDue' })).toBe(true);
  expect(isAboutToBeDisabled({ state: 'Enabled' })).toBe(false);
});

it('the offer decides before the state: a disabled CSP subscription is reported as partner', () => {
  expect(directoryChangeBlocker({ state: 'Disabled', quotaId: 'CSP_2015-05-01' })).toBe('partner');
});
