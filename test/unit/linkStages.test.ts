import { TenantlinkError } from '../../src/errors';
import { assertChosen, assertOffered, assertSignedIn, type LinkState } from '../../src/link/stages';

/** The link flow's stages: a step short of its stage fails with TL-INTERNAL naming what is missing. */

const account = { userId: 'u', displayName: 'Kelley', tenantId: 't', objectId: 'o' } as never;
const full: LinkState = {
  flowId: 'flow-1',
  initiatorId: 'kelley',
  initiatorName: 'Kelley Wall',
  office365: account,
  org: { tenantId: 't', displayName: 'Contoso', defaultDomain: 'contoso.com' } as never,
  azure: account,
  owned: [],
  directoryNames: {},
  subscription: {
    subscriptionId: 's',
    displayName: 'Pay-As-You-Go',
    tenantId: 'x',
    state: 'Enabled',
  },
  sourceName: 'Default Directory',
};

const asserts = { assertSignedIn, assertOffered, assertChosen } as const;
const needs: Record<keyof typeof asserts, (keyof LinkState)[]> = {
  assertSignedIn: ['office365', 'org'],
  assertOffered: ['office365', 'org', 'azure', 'owned', 'directoryNames'],
  assertChosen: [
    'office365',
    'org',
    'azure',
    'owned',
    'directoryNames',
    'subscription',
    'sourceName',
  ],
};

const cases = Object.entries(needs).flatMap(([name, fields]) =>
  fields.map((field) => [name as keyof typeof asserts, field] as const),
);

it.each(cases)('%s fails without %s, naming it', (name, field) => {
  const state: LinkState = { ...full, [field]: undefined };
  let thrown: unknown;
  try {
    asserts[name](state);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(TenantlinkError);
  expect((thrown as TenantlinkError).code).toBe('TL-INTERNAL');
  expect((thrown as TenantlinkError).message).toContain(`no ${field}`);
});

it.each(Object.keys(asserts) as (keyof typeof asserts)[])('%s passes a full state', (name) => {
  expect(() => asserts[name](full)).not.toThrow();
});
