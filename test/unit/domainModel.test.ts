import { ROLE_ASSIGNMENT_NAMESPACE, roleAssignmentName } from '../../src/domain/names';
import {
  BUILT_IN_ROLES,
  CONSUMER_TENANT_ID,
  DIRECTORY_ROLES,
  GRANTABLE_ROLES,
  builtInRoleName,
  isInheritedScope,
  isSubscriptionCustomRole,
  roleDefinitionIdAt,
  roleGuid,
  scopesWithinSubscription,
} from '../../src/domain/roles';

/**
 * The role facts of src/domain/roles.ts and names.ts by value: Microsoft's ids (built-in roles,
 * directory role templates, the consumer tenant), the scopes a subscription owns, and the
 * deterministic assignment name, which must never change between releases (a changed name would
 * PUT a second assignment of the same role instead of finding the first).
 */

const SUB = 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa';
const OWN = `/subscriptions/${SUB}`;

it("keeps Microsoft's ids (built-in-roles, permissions-reference, id-token-claims-reference)", () => {
  expect(BUILT_IN_ROLES).toEqual({
    Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  });
  expect(GRANTABLE_ROLES).toEqual(['Owner', 'Contributor', 'Reader']);
  expect(DIRECTORY_ROLES).toEqual({
    GlobalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
    BillingAdministrator: 'b0f54661-2d74-4c50-afa3-1ec803f12efe',
  });
  expect(CONSUMER_TENANT_ID).toBe('9188040d-6c67-4c5b-b112-36a304b66dad');
});

it('names a role assignment as it always has (UUID v5 of scope, principal and role)', () => {
  expect(ROLE_ASSIGNMENT_NAMESPACE).toBe('5c0f3b8e-6a0d-4e51-9f7c-2a7d4c8b1e90');
  expect(
    roleAssignmentName(OWN, 'b7078861-5420-4a6d-943d-0179c0d46d5c', BUILT_IN_ROLES.Owner),
  ).toBe('fc43e7c2-0f6f-594f-8388-7006dadac1ac');
});

it('builds full role definition ids for built-in and custom roles, and reads them back', () => {
  expect(roleDefinitionIdAt(SUB, 'Reader')).toBe(
    `${OWN}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Reader}`,
  );
  const custom = roleDefinitionIdAt(SUB, {
    definitionGuid: 'c0ffee00-0000-4000-8000-000000000001',
  });
  expect(custom).toBe(
    `${OWN}/providers/Microsoft.Authorization/roleDefinitions/c0ffee00-0000-4000-8000-000000000001`,
  );
  expect(roleGuid(custom.toUpperCase())).toBe('c0ffee00-0000-4000-8000-000000000001');
  expect(roleGuid('')).toBe('');
  expect(builtInRoleName(BUILT_IN_ROLES.Owner.toUpperCase())).toBe('Owner');
  expect(builtInRoleName(custom)).toBeUndefined();
});

describe('the scopes a subscription owns', () => {
  it.each([
    [OWN, false],
    [OWN.toUpperCase(), false],
    [`${OWN}/resourceGroups/rg`, false],
    ['/', true],
    ['/providers/Microsoft.Management/managementGroups/mg', true],
    // Another subscription whose id starts with this one's.
    [`${OWN}0`, true],
    ['/subscriptions/00000000-0000-0000-0000-000000000000', true],
  ])('%s is inherited: %s', (scope, inherited) => {
    expect(isInheritedScope(scope, SUB)).toBe(inherited);
  });

  it("backs up a custom role only when every assignable scope is the subscription's", () => {
    expect(
      isSubscriptionCustomRole({ assignableScopes: [OWN, `${OWN}/resourceGroups/rg`] }, SUB),
    ).toBe(true);
    expect(
      isSubscriptionCustomRole(
        { assignableScopes: [OWN, '/providers/Microsoft.Management/managementGroups/mg'] },
        SUB,
      ),
    ).toBe(false);
    expect(isSubscriptionCustomRole({ assignableScopes: [] }, SUB)).toBe(false);
  });

  it('trims assignable scopes to the subscription, in order', () => {
    expect(
      scopesWithinSubscription([`${OWN}/resourceGroups/b`, '/', OWN, '/subscriptions/other'], SUB),
    ).toEqual([`${OWN}/resourceGroups/b`, OWN]);
    expect(scopesWithinSubscription(['/'], SUB)).toEqual([]);
  });
});
