import type { DirectoryPerson } from '../../../src/domain/rules';
import type { AzureSubscription } from '../../../src/domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../../../src/domain/ports';
import { BUILT_IN_ROLES, DIRECTORY_ROLES } from '../../../src/domain/roles';
import { BeforeYouBeginDialog } from '../../../src/dialogs/link/beforeYouBeginDialog';
import { VERB } from '../../../src/dialogs/verbs';
import type { AzureSignedInFlow } from '../../../src/link/stages';
import { CHOSEN, SUBSCRIPTION } from './fixtures';
import { AZURE, StageHarness, basePorts } from './stageHarness';

/**
 * The before-you-begin stage (rules R1–R5, then the choice of the subscription) on fake ports:
 * what it shows and how it ends for each rule that fails, each set of owned subscriptions and the
 * answer to the choice card.
 */

/** The flow as the Azure sign-in hands it on: the chosen flow without the choice. */
const FLOW: AzureSignedInFlow = {
  flowId: CHOSEN.flowId,
  initiatorId: CHOSEN.initiatorId,
  initiatorName: CHOSEN.initiatorName,
  office365: CHOSEN.office365,
  org: CHOSEN.org,
  azure: CHOSEN.azure,
};

/** The Azure admin as a person of the Office 365 directory (rules R3 and R4). */
const KELLEY: DirectoryPerson = {
  id: 'kelley-o365',
  displayName: 'Kelley Wall',
  userPrincipalName: AZURE.email,
  mail: AZURE.email,
  otherMails: [],
};

const DISABLED = {
  ...SUBSCRIPTION,
  subscriptionId: 'sub-2',
  state: 'Disabled',
} as AzureSubscription;
const INSIDE = {
  ...SUBSCRIPTION,
  subscriptionId: 'sub-3',
  tenantId: 'contoso',
} as AzureSubscription;

interface Case {
  readonly name: string;
  /** Subscriptions the Azure admin sees; Owner on each (none: R1 fails). */
  readonly subscriptions?: readonly AzureSubscription[];
  readonly globalAdmin?: boolean;
  readonly sameEmail?: boolean;
  readonly isGlobalAdmin?: boolean;
  readonly realm?: 'Managed' | 'Federated' | 'Unknown';
  /** The rules that failed (the preflight card says so). */
  readonly failed: readonly string[];
  readonly outcome: string | 'next';
  /** Subscription ids on the choice card. */
  readonly offered?: readonly string[];
}

const CASES: Case[] = [
  { name: 'every rule passed, then a choice', failed: [], outcome: 'next', offered: ['sub-1'] },
  {
    name: 'R1: no owned subscription',
    subscriptions: [],
    failed: ['R1'],
    outcome: 'preflightFailed',
  },
  {
    name: 'R2: not Global Administrator',
    globalAdmin: false,
    failed: ['R2'],
    outcome: 'preflightFailed',
  },
  {
    name: 'R3: the email is an Office 365 user',
    sameEmail: true,
    failed: ['R3'],
    outcome: 'preflightFailed',
  },
  {
    name: 'R4: the email is a Global Administrator',
    isGlobalAdmin: true,
    failed: ['R4'],
    outcome: 'preflightFailed',
  },
  {
    name: 'R5: a Microsoft account on a work domain',
    realm: 'Managed',
    failed: ['R5'],
    outcome: 'preflightFailed',
  },
  {
    name: 'nothing outside the directory',
    subscriptions: [INSIDE],
    failed: [],
    outcome: 'nothingToLink',
  },
  {
    name: 'nothing that can move',
    subscriptions: [DISABLED],
    failed: [],
    outcome: 'nothingToLink',
  },
  {
    name: 'only the movable ones offered',
    subscriptions: [SUBSCRIPTION, DISABLED, INSIDE],
    failed: [],
    outcome: 'next',
    offered: ['sub-1'],
  },
];

function stageFor(c: Case): BeforeYouBeginDialog {
  const ports = basePorts();
  const subscriptions = c.subscriptions ?? [SUBSCRIPTION];
  const directory = {
    myDirectoryRoles: async () =>
      c.globalAdmin === false ? [] : [{ roleTemplateId: DIRECTORY_ROLES.GlobalAdministrator }],
    myEligibleRoleTemplateIds: async () => [],
    usersWithEmail: async () => (c.sameEmail ? [KELLEY] : []),
    globalAdministrators: async () => (c.isGlobalAdmin ? [KELLEY] : []),
  } as unknown as Office365DirectoryPort;
  const azure = {
    listSubscriptions: async () => subscriptions,
    listRoleAssignments: async (scope: string) => [
      { scope, roleDefinitionId: `${scope}/providers/x/roleDefinitions/${BUILT_IN_ROLES.Owner}` },
    ],
    listTenants: async () => [
      { tenantId: 'default', displayName: 'Default Directory' },
      { tenantId: 'contoso', displayName: 'Contoso' },
    ],
  } as unknown as AzureManagementPort;
  return new BeforeYouBeginDialog({
    ...ports,
    procedure: { ...ports.procedure, directory: () => directory, azure: () => azure },
    userRealm: async () => c.realm ?? 'Unknown',
  });
}

/** The rules the preflight card (the first card sent) marks as failed (its rows: "❌ R2 — …"). */
function failedRules(h: StageHarness<AzureSignedInFlow>): string[] {
  const card = JSON.stringify(h.sent.find((a) => a.attachments?.length)?.attachments?.[0]);
  expect(card.match(/[✅❌] R[1-5] /gu)).toHaveLength(5);
  return [...card.matchAll(/❌ (R[1-5]) /gu)].map((m) => m[1] ?? '');
}

it.each(CASES)('ends $name', async (c) => {
  const h = new StageHarness<AzureSignedInFlow>(stageFor(c));
  await h.begin(FLOW);
  expect(failedRules(h)).toEqual(c.failed);
  if (c.outcome !== 'next') {
    expect(h.ended).toEqual({ ended: { outcome: c.outcome, flowId: FLOW.flowId } });
    return;
  }
  expect(h.ended).toBeUndefined();
  const card = JSON.stringify(h.lastCard());
  for (const id of ['sub-1', 'sub-2', 'sub-3'])
    expect(card.includes(`"${id}"`)).toBe(c.offered?.includes(id) ?? false);
  await h.click(VERB.chooseSubscription, { subscriptionId: 'sub-1' });
  expect(h.ended).toEqual({
    next: {
      ...FLOW,
      owned: [SUBSCRIPTION],
      directoryNames: { default: 'Default Directory', contoso: 'Contoso' },
      subscription: SUBSCRIPTION,
      sourceName: 'Default Directory',
    },
  });
});

it('refuses a subscription it did not offer with the card again', async () => {
  const h = new StageHarness<AzureSignedInFlow>(stageFor(CASES[8] as Case));
  await h.begin(FLOW);
  await h.click(VERB.chooseSubscription, { subscriptionId: 'sub-2' });
  expect(h.ended).toBeUndefined();
  expect(JSON.stringify(h.lastCard())).toMatch(/sub-1/);
});
