import {
  allPassed,
  evaluateRules,
  isMicrosoftAccount,
  type PreflightFacts,
  type RuleId,
} from '../../src/domain/rules';
import { CONSUMER_TENANT_ID, DIRECTORY_ROLES } from '../../src/domain/roles';

const kelleyGa = {
  id: 'k',
  displayName: 'Kelley Wall',
  userPrincipalName: 'admin@contoso.onmicrosoft.com',
  mail: 'admin@contoso.onmicrosoft.com',
  otherMails: ['kelley.alt@contoso.com'],
};

/** Facts of the happy path: every rule passes. */
const base: PreflightFacts = {
  azureAdmin: {
    email: 'kelley.wall@outlook.com',
    identityProvider: 'live.com',
    ownedSubscriptions: ['Pay-As-You-Go'],
  },
  office365AdminRoleTemplateIds: [DIRECTORY_ROLES.GlobalAdministrator],
  office365UsersWithAdminEmail: [],
  office365GlobalAdmins: [kelleyGa],
  emailRealm: 'Unknown',
};

const failing = (facts: PreflightFacts): RuleId[] =>
  evaluateRules(facts)
    .filter((r) => !r.passed)
    .map((r) => r.rule);

describe('before-you-begin rules', () => {
  it('all pass on the happy path', () => {
    expect(failing(base)).toEqual([]);
    expect(allPassed(evaluateRules(base))).toBe(true);
  });

  it.each<[string, Partial<PreflightFacts>, RuleId[]]>([
    [
      'R1: owns no subscription',
      { azureAdmin: { ...base.azureAdmin, ownedSubscriptions: [] } },
      ['R1'],
    ],
    [
      'R2: not a global admin',
      { office365AdminRoleTemplateIds: [DIRECTORY_ROLES.BillingAdministrator] },
      ['R2'],
    ],
    ['R2: no directory role at all', { office365AdminRoleTemplateIds: [] }, ['R2']],
    [
      'R3: email is an Office 365 user (mail, case-insensitive)',
      {
        office365UsersWithAdminEmail: [
          {
            id: 'j',
            displayName: 'Jane',
            userPrincipalName: 'jane@contoso.onmicrosoft.com',
            mail: 'KELLEY.WALL@outlook.com',
            otherMails: [],
          },
        ],
      },
      ['R3'],
    ],
    [
      'R4: email is a global admin alternate email',
      { office365GlobalAdmins: [{ ...kelleyGa, otherMails: ['Kelley.Wall@Outlook.com'] }] },
      ['R4'],
    ],
    ['R5: Microsoft account on a work-account domain', { emailRealm: 'Managed' }, ['R5']],
    ['R5: federated domain too', { emailRealm: 'Federated' }, ['R5']],
  ])('%s', (_name, patch, expected) => {
    const facts = { ...base, ...patch };
    expect(failing(facts)).toEqual(expected);
    expect(allPassed(evaluateRules(facts))).toBe(false);
  });

  it('R3 ignores users whose email merely contains the admin email', () => {
    const facts = {
      ...base,
      office365UsersWithAdminEmail: [
        {
          id: 'x',
          displayName: 'X',
          userPrincipalName: 'x.kelley.wall@outlook.com',
          mail: null,
          otherMails: [],
        },
      ],
    };
    expect(failing(facts)).toEqual([]);
  });

  it('R5 passes for a work account on a managed domain', () => {
    const facts: PreflightFacts = {
      ...base,
      azureAdmin: {
        email: 'jane@contoso.onmicrosoft.com',
        identityProvider: undefined,
        ownedSubscriptions: ['Lab'],
      },
      emailRealm: 'Managed',
    };
    expect(evaluateRules(facts).find((r) => r.rule === 'R5')?.passed).toBe(true);
  });

  it('reports the matching person in the parameters', () => {
    const facts = {
      ...base,
      office365GlobalAdmins: [{ ...kelleyGa, mail: 'kelley.wall@outlook.com' }],
    };
    expect(evaluateRules(facts).find((r) => r.rule === 'R4')?.params).toEqual({
      email: 'kelley.wall@outlook.com',
      name: 'Kelley Wall',
    });
  });

  it('R3 and R4 compare emails ignoring case and surrounding spaces', () => {
    const padded = { ...base.azureAdmin, email: ' Kelley.Wall@outlook.com ' };
    const user = { ...kelleyGa, userPrincipalName: ' kelley.wall@OUTLOOK.com\t', mail: null };
    expect(
      failing({
        ...base,
        azureAdmin: padded,
        office365UsersWithAdminEmail: [user],
        office365GlobalAdmins: [user],
      }),
    ).toEqual(['R3', 'R4']);
  });

  it('names no one in the parameters of R3 and R4 when they pass, and the email in R5', () => {
    const params = Object.fromEntries(evaluateRules(base).map((r) => [r.rule, r.params]));
    expect(params.R3).toEqual({ email: 'kelley.wall@outlook.com', name: '' });
    expect(params.R4).toEqual({ email: 'kelley.wall@outlook.com', name: '' });
    expect(params.R5).toEqual({ email: 'kelley.wall@outlook.com' });
  });

  it('R2 says to activate the role only when it is eligible and not active', () => {
    const r2 = (facts: Partial<PreflightFacts>) =>
      evaluateRules({ ...base, ...facts }).find((r) => r.rule === 'R2');
    const GA = DIRECTORY_ROLES.GlobalAdministrator;
    expect(
      r2({ office365AdminRoleTemplateIds: [], office365AdminEligibleRoleTemplateIds: [GA] }),
    ).toEqual({ rule: 'R2', passed: false, params: { eligible: 'yes' } });
    expect(r2({ office365AdminEligibleRoleTemplateIds: [GA] })).toEqual({
      rule: 'R2',
      passed: true,
      params: { eligible: 'no' },
    });
    expect(r2({ office365AdminRoleTemplateIds: [] })).toEqual({
      rule: 'R2',
      passed: false,
      params: { eligible: 'no' },
    });
  });

  it('tells a Microsoft account by idp or consumer tenant', () => {
    expect(isMicrosoftAccount({ identityProvider: 'live.com' })).toBe(true);
    expect(
      isMicrosoftAccount({ identityProvider: undefined, homeTenantId: CONSUMER_TENANT_ID }),
    ).toBe(true);
    expect(
      isMicrosoftAccount({ identityProvider: `https://sts.windows.net/${CONSUMER_TENANT_ID}/` }),
    ).toBe(true);
    expect(
      isMicrosoftAccount({
        identityProvider: 'https://sts.windows.net/cf2c1c8a-9a1b-4584-9523-71a6b29ed542/',
      }),
    ).toBe(false);
    expect(isMicrosoftAccount({ identityProvider: undefined })).toBe(false);
  });
});
