import { roleAssignmentName } from '../../src/domain/names';
import {
  BUILT_IN_ROLES,
  builtInRoleName,
  roleDefinitionIdAt,
  roleGuid,
} from '../../src/domain/roles';

describe('deterministic role assignment names', () => {
  const scope = '/subscriptions/a27e2463-29b2-43f1-9a86-7fecb0e7d9aa';
  const principal = 'b7078861-5420-4a6d-943d-0179c0d46d5c';

  it('is the same for the same scope, principal and role, whatever the case or id form', () => {
    const a = roleAssignmentName(scope, principal, BUILT_IN_ROLES.Owner);
    const b = roleAssignmentName(
      scope.toUpperCase(),
      principal.toUpperCase(),
      roleDefinitionIdAt(scope.split('/')[2]!, 'Owner'),
    );
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs when the role, the principal or the scope differs', () => {
    const owner = roleAssignmentName(scope, principal, BUILT_IN_ROLES.Owner);
    expect(roleAssignmentName(scope, principal, BUILT_IN_ROLES.Reader)).not.toBe(owner);
    expect(
      roleAssignmentName(scope, 'af1975d2-c139-4707-b3a3-5559acbe1ebd', BUILT_IN_ROLES.Owner),
    ).not.toBe(owner);
    expect(
      roleAssignmentName(`${scope}/resourceGroups/rg`, principal, BUILT_IN_ROLES.Owner),
    ).not.toBe(owner);
  });

  it('maps role definition ids to built-in names', () => {
    expect(builtInRoleName(roleDefinitionIdAt('s', 'Contributor'))).toBe('Contributor');
    expect(
      builtInRoleName(
        '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/11111111-1111-1111-1111-111111111111',
      ),
    ).toBeUndefined();
    expect(roleGuid('ACDD72A7-3385-48EF-BD42-F606FBA81AE7')).toBe(BUILT_IN_ROLES.Reader);
  });
});
