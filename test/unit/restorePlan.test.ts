import {
  emailsOf,
  planRestore,
  summarizePlan,
  type RestorePlanEntry,
} from '../../src/domain/restorePlan';
import type { DirectoryPerson } from '../../src/domain/rules';
import type { BackedUpAssignment } from '../../src/link/impact';

/** The restore plan: who can be restored, invited, or not carried, and why. */

const SUB = '/subscriptions/a27e2463-29b2-43f1-9a86-7fecb0e7d9aa';
const role = (guid: string) => `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

function person(id: string, p: Partial<DirectoryPerson>): DirectoryPerson {
  return {
    id,
    displayName: id,
    userPrincipalName: `${id}@old.onmicrosoft.com`,
    mail: null,
    otherMails: [],
    ...p,
  } as DirectoryPerson;
}

function assignment(
  n: number,
  principalId: string,
  principalType: string,
  scope = SUB,
): BackedUpAssignment {
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/a${n}`,
    name: `a${n}`,
    scope,
    principalId,
    principalType,
    roleDefinitionId: role('b24988ac-6180-42a0-ab88-20f7382dd24c'),
    roleName: 'Contributor',
    principalName: principalId,
  };
}

describe('emailsOf', () => {
  it('reads mail, other mails, a plain UPN, and the address inside a guest UPN', () => {
    expect(
      emailsOf(
        person('sam', {
          userPrincipalName: 'sam.dev_outlook.com#EXT#@defaultdirectory.onmicrosoft.com',
          mail: 'Sam.Dev@Outlook.com',
          otherMails: ['sam@example.org', 'not an email'],
        }),
      ),
    ).toEqual(['sam.dev@outlook.com', 'sam@example.org']);
    expect(emailsOf(person('ann', {}))).toEqual(['ann@old.onmicrosoft.com']);
  });

  it("reads a guest's external address from its UPN alone", () => {
    expect(
      emailsOf(
        person('sam', { userPrincipalName: 'sam.dev_outlook.com#EXT#@old.onmicrosoft.com' }),
      ),
    ).toEqual(['sam.dev@outlook.com']);
  });

  it('ignores a value that holds more than one address', () => {
    expect(
      emailsOf(
        person('ann', {
          mail: 'Ann <ann@example.org>',
          otherMails: ['ann@example.org (old)', 'ann@example.com'],
        }),
      ),
    ).toEqual(['ann@example.com', 'ann@old.onmicrosoft.com']);
  });
});

describe('planRestore', () => {
  const formerUsers = [
    person('kelley-msa', { mail: 'kelley.wall@outlook.com' }),
    person('sam', { userPrincipalName: 'sam.dev_outlook.com#EXT#@old.onmicrosoft.com' }),
    person('nomail', { userPrincipalName: 'no upn at all' }),
  ];
  const office365 = [
    person('kelley-work', {
      userPrincipalName: 'admin@contoso.onmicrosoft.com',
      mail: 'kelley.wall@outlook.com',
    }),
  ];
  const backup = [
    assignment(1, 'kelley-msa', 'User'),
    assignment(2, 'sam', 'User', `${SUB}/resourceGroups/rg-web`),
    assignment(3, 'build-sp', 'ServicePrincipal'),
    assignment(4, 'ops-group', 'Group'),
    assignment(5, 'nomail', 'User'),
    assignment(6, 'gone', 'User'),
    assignment(7, 'x', 'ForeignGroup'),
  ];
  // Planned in each test, so that a fault in the planning fails that test.
  const plan = (): RestorePlanEntry[] => planRestore(backup, formerUsers, office365);

  it('restores a user who exists in Office 365 under the same email, at the original scope and role', () => {
    expect(plan()[0]).toMatchObject({
      scope: SUB,
      roleName: 'Contributor',
      action: {
        kind: 'restore',
        principalId: 'kelley-work',
        principalName: 'kelley.wall@outlook.com',
      },
    });
  });

  it('invites a user with no Office 365 account, keeping a resource group scope', () => {
    expect(plan()[1]).toMatchObject({
      scope: `${SUB}/resourceGroups/rg-web`,
      action: { kind: 'invite', email: 'sam.dev@outlook.com' },
    });
  });

  it('says why groups, service principals, unknown users and other principals are not carried', () => {
    expect(
      plan()
        .slice(2)
        .map((e) => e.action),
    ).toEqual([
      { kind: 'skip', reason: 'servicePrincipal' },
      { kind: 'skip', reason: 'group' },
      { kind: 'skip', reason: 'noEmail' },
      { kind: 'skip', reason: 'noEmail' },
      { kind: 'skip', reason: 'other' },
    ]);
  });

  it('matches an Office 365 user by sign-in name or mail in any case, the first one listed', () => {
    const users = [
      person('no-mail', { userPrincipalName: 'someone@contoso.onmicrosoft.com' }),
      person('first', { userPrincipalName: 'a@contoso.com', mail: 'Kelley.Wall@Outlook.com' }),
      person('second', { userPrincipalName: 'KELLEY.WALL@outlook.com', mail: null }),
    ];
    expect(
      planRestore([assignment(1, 'kelley-msa', 'User')], formerUsers, users)[0]!.action,
    ).toEqual({ kind: 'restore', principalId: 'first', principalName: 'Kelley.Wall@Outlook.com' });
    expect(
      planRestore([assignment(1, 'kelley-msa', 'User')], formerUsers, users.slice(2))[0]!.action,
    ).toEqual({
      kind: 'restore',
      principalId: 'second',
      principalName: 'KELLEY.WALL@outlook.com',
    });
  });

  it('counts the plan', () => {
    expect(summarizePlan(plan())).toEqual({
      restore: 1,
      invite: 1,
      skip: 5,
      skipReasons: { servicePrincipal: 1, group: 1, noEmail: 2, other: 1 },
    });
  });
});
