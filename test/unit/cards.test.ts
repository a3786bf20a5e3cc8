import { pseudoLocalize } from '../../src/i18n/pseudo';
import { classifyInventory } from '../../src/domain/inventory';
import { inventoryPart } from '../../src/dialogs/inventoryCards';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  TEMPLATE_NAMES,
  cardAttachment,
  cardInstant,
  rawDatesIn,
  renderCard,
  type AdaptiveCardJson,
  type CardDataByTemplate,
  type TemplateName,
} from '../../src/cards/render';
import type { Verb } from '../../src/dialogs/cardPrompt';
import { IMPACT_LIST_LIMIT, LinkCards } from '../../src/dialogs/linkCards';
import { GRANT_PAGE_SIZE } from '../../src/dialogs/link/accessDialog';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import type { DirectoryPerson } from '../../src/domain/model';
import { Localizer } from '../../src/i18n';
import type { ImpactReport } from '../../src/link/impact';
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';

/** Teams refuses messages whose card is larger than about 28 KB. */
const TEAMS_CARD_LIMIT_BYTES = 28 * 1024;

const FLOW_ID = 'flow-7d1c2f0e-3f4a-4f3e-9a51-0b8f6f1c2d3e';
const CARD_ID = 'card-impact-0001';
const ids = { flowId: FLOW_ID, cardId: CARD_ID };

const SUB = { id: 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa', name: 'Pay-As-You-Go' };
const CONTOSO = {
  tenantId: 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542',
  displayName: 'Contoso',
  defaultDomain: 'contoso.onmicrosoft.com',
  verifiedDomains: ['contoso.onmicrosoft.com'],
};

/** Every verb of cardPrompt's `Verb` union (the Record makes the list exhaustive at compile time). */
const VERBS: Record<Verb, true> = {
  'link.start': true,
  'link.cancel': true,
  'signin.select': true,
  'signin.restart': true,
  'subscription.choose': true,
  'impact.continue': true,
  'move.confirm': true,
  'move.verify': true,
  'access.grant': true,
  'keyvault.fix': true,
  'checklist.done': true,
  'card.refresh': true,
  'approval.approve': true,
  'approval.reject': true,
  'policy.save': true,
  'history.open': true,
  'history.export': true,
};

interface Fixture<N extends TemplateName> {
  readonly data: CardDataByTemplate[N];
  /** Texts the rendered card must show. */
  readonly texts: readonly string[];
  /** Verbs of its Action.Execute buttons (empty: a card without Execute actions). */
  readonly verbs: readonly Verb[];
  /** Ids of its inputs (what the verbs' handlers read). */
  readonly inputs: readonly string[];
}

const FIXTURES: { [N in TemplateName]: Fixture<N> } = {
  welcome: {
    data: {
      ...ids,
      title: 'Link an Office 365 tenant to an Azure subscription',
      intro: 'Once linked, your Office 365 accounts can sign in to the Azure subscription.',
      steps: ['Sign in as a Global Administrator.', 'Sign in as the Owner.', 'Check the rules.'],
      note: 'Classic administrators were retired in 2024.',
      startLabel: 'Start',
      cancelLabel: 'Cancel',
    },
    texts: [
      'Link an Office 365 tenant to an Azure subscription',
      '1. Sign in as a Global Administrator.',
      '3. Check the rules.',
      'Classic administrators were retired in 2024.',
      'Start',
    ],
    verbs: ['link.start', 'link.cancel'],
    inputs: [],
  },
  signIn: {
    data: {
      ...ids,
      title: 'Step 1: sign in to Office 365',
      text: 'Sign in with a Global Administrator account.',
      error: 'Choose one of the accounts listed.',
      accountLabel: 'Account',
      requiredMessage: 'Please fill this in.',
      choices: [
        { title: 'Kelley Wall · admin@contoso.onmicrosoft.com · Contoso', value: 'kelley-work' },
        { title: 'Jane · jane@contoso.onmicrosoft.com · Contoso', value: 'jane-work' },
      ],
      sandboxNote: "Sandbox cloud: these are the sandbox's test accounts.",
      signInLabel: 'Sign in',
      cancelLabel: 'Cancel',
    },
    texts: [
      'Step 1: sign in to Office 365',
      'Choose one of the accounts listed.',
      'Kelley Wall · admin@contoso.onmicrosoft.com · Contoso',
      'kelley-work',
      'jane-work',
    ],
    verbs: ['signin.select', 'link.cancel'],
    inputs: ['choice'],
  },
  directorySignIn: {
    data: {
      ...ids,
      title: 'Sign in to Azure',
      text: 'Sign in as the administrator of the subscription.',
      error: 'No Azure subscription has this ID.',
      idLabel: 'Subscription ID',
      idPlaceholder: '00000000-0000-0000-0000-000000000000',
      idError: 'Not a subscription ID.',
      subscriptionId: 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa',
      findId: 'Where to find it: Subscriptions in the Azure portal.',
      findIdLabel: 'Subscriptions in the Azure portal',
      findIdUrl: 'https://portal.azure.com/#view/Microsoft_Azure_Billing/SubscriptionsBladeV2',
      accountLabel: 'Account (sandbox)',
      choices: [{ title: 'Kelley Wall (personal) · Default Directory', value: 'kelley-msa' }],
      sandboxNote: "Sandbox cloud: these are the sandbox's test accounts.",
      signInLabel: 'Sign in',
      cancelLabel: 'Cancel',
    },
    texts: [
      'Sign in to Azure',
      'No Azure subscription has this ID.',
      'Subscription ID',
      'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa',
      'Where to find it: Subscriptions in the Azure portal.',
      'Kelley Wall (personal) · Default Directory',
    ],
    verbs: ['signin.select', 'link.cancel'],
    inputs: ['subscriptionId', 'choice'],
  },
  directorySignInWait: {
    data: {
      ...ids,
      title: 'Sign in to the subscription directory',
      text: 'Open the sign-in page, then come back here.',
      url: 'https://login.microsoftonline.com/a9ea5b18-e185-45c7-a29e-29e0de901d66/oauth2/v2.0/authorize?state=x',
      openLabel: 'Open the sign-in page',
      restartLabel: 'Start the sign-in again',
      cancelLabel: 'Cancel',
    },
    texts: ['Sign in to the subscription directory', 'Open the sign-in page, then come back here.'],
    verbs: ['signin.restart', 'link.cancel'],
    inputs: [],
  },
  preflight: {
    data: {
      title: 'Before you begin',
      summary: '1 rule fails.',
      rules: [
        {
          rule: 'R1',
          icon: '✅',
          color: 'Good',
          title: 'You administer the Azure subscription',
          detail: 'kelley.wall@outlook.com is Owner of 3 subscriptions.',
          fix: '',
        },
        {
          rule: 'R3',
          icon: '❌',
          color: 'Attention',
          title: "The subscription admin's email is not an Office 365 user",
          detail: 'kelley.wall@outlook.com is a user of the Office 365 tenant (Kelley Wall).',
          fix: "Make another account the subscription's Owner for the move.",
        },
      ],
    },
    texts: [
      '✅ R1 — You administer the Azure subscription',
      "❌ R3 — The subscription admin's email is not an Office 365 user",
      'kelley.wall@outlook.com is a user of the Office 365 tenant (Kelley Wall).',
      "Make another account the subscription's Owner for the move.",
    ],
    verbs: [],
    inputs: [],
  },
  chooseSubscription: {
    data: {
      ...ids,
      title: 'Choose the subscription',
      text: 'These are the subscriptions you own.',
      subscriptionLabel: 'Subscription',
      requiredMessage: 'Please fill this in.',
      subscriptions: [
        { title: `${SUB.name} (${SUB.id}) · trusts Default Directory`, value: SUB.id },
        {
          title: 'Dev/Test (1c29c9ed-5177-49c8-ab17-c72e45f1a369) · trusts Default Directory',
          value: '1c29c9ed-5177-49c8-ab17-c72e45f1a369',
        },
      ],
      style: 'expanded',
      dataset: '',
      chooseLabel: 'Choose',
      cancelLabel: 'Cancel',
    },
    texts: [`${SUB.name} (${SUB.id}) · trusts Default Directory`, SUB.id, 'Choose'],
    verbs: ['subscription.choose', 'link.cancel'],
    inputs: ['subscriptionId'],
  },
  impact: {
    data: {
      ...ids,
      title: `Who loses access to ${SUB.name}`,
      facts: [
        { title: 'Subscription', value: `${SUB.name} (${SUB.id})` },
        { title: 'Directory after the move', value: 'Contoso (contoso.onmicrosoft.com)' },
      ],
      removedText: 'The move removes all 2 role assignments:',
      assignments: [
        {
          principal: 'kelley.wall@outlook.com (User)',
          role: 'Owner',
          scope: `/subscriptions/${SUB.id}`,
        },
        {
          principal: '19927b7b-8387-469b-b892-d4ea2bce0be1 (ServicePrincipal)',
          role: 'Contributor',
          scope: `/subscriptions/${SUB.id}/resourceGroups/build`,
        },
      ],
      moreText: '',
      inheritedText: '1 role assignment is inherited from a management group or the root.',
      inherited: [
        {
          principal: 'reader.only@outlook.com (User)',
          role: 'Reader',
          scope: '/providers/Microsoft.Management/managementGroups/root',
        },
      ],
      restoreTitle: 'What tenantlink can carry across',
      restoreLines: ['1 assignment goes back to the same person.', '1 app: re-create it.'],
      inventoryTitle: 'What else the move breaks (3 resources read from Azure Resource Graph)',
      inventoryBreaks: [
        {
          ackId: 'ack_keyVault',
          text: 'Key vaults (1): kv-web. Update its tenant ID.',
          ackLabel: 'I understand',
        },
      ],
      inventoryChecks: ['Storage accounts (Azure Files) (1): stfiles. Check its ACLs.'],
      ackError: 'Tick each box.',
      warnings: ['Custom roles of the subscription are deleted.', 'Some services cannot move.'],
      billingText: 'Billing does not move.',
      backupText: 'A backup of these role assignments is kept.',
      continueLabel: 'Continue',
      cancelLabel: 'Cancel',
    },
    texts: [
      `Who loses access to ${SUB.name}`,
      `${SUB.name} (${SUB.id})`,
      `• kelley.wall@outlook.com (User) — Owner — /subscriptions/${SUB.id}`,
      'What tenantlink can carry across',
      '• 1 app: re-create it.',
      '⚠ Custom roles of the subscription are deleted.',
      'A backup of these role assignments is kept.',
    ],
    verbs: ['impact.continue', 'link.cancel'],
    inputs: ['ack_keyVault'],
  },
  confirm: {
    data: {
      ...ids,
      title: 'Confirm the directory change',
      text: `${SUB.name} will trust Contoso.`,
      error: `That is not the subscription's name. Type ${SUB.name} exactly.`,
      inputLabel: `Type ${SUB.name}`,
      subscriptionName: SUB.name,
      requiredMessage: 'Please fill this in.',
      confirmLabel: 'Change directory',
      cancelLabel: 'Cancel',
    },
    texts: [
      `${SUB.name} will trust Contoso.`,
      `That is not the subscription's name. Type ${SUB.name} exactly.`,
      `Type ${SUB.name}`,
      'Change directory',
    ],
    verbs: ['move.confirm', 'link.cancel'],
    inputs: ['typedName'],
  },
  guidedMove: {
    data: {
      ...ids,
      title: `Change the directory of ${SUB.name} in the Azure portal`,
      reason: 'Azure did not let me change the directory by API: the preview is not enabled.',
      steps: ['Open it in the portal.', 'Select "Change directory".', 'Choose Contoso.'],
      status: 'Not yet: the subscription does not answer in Contoso.',
      portalLabel: 'Open the Azure portal',
      portalUrl: `https://portal.azure.com/#@${CONTOSO.tenantId}/resource/subscriptions/${SUB.id}/overview`,
      verifyLabel: 'Verify',
      cancelLabel: 'Cancel',
    },
    texts: [
      `Change the directory of ${SUB.name} in the Azure portal`,
      '2. Select "Change directory".',
      'Not yet: the subscription does not answer in Contoso.',
      `https://portal.azure.com/#@${CONTOSO.tenantId}/resource/subscriptions/${SUB.id}/overview`,
    ],
    verbs: ['move.verify', 'link.cancel'],
    inputs: [],
  },
  grantAccess: {
    data: {
      ...ids,
      title: 'Step 3: give Office 365 accounts access',
      text: 'Choose the Contoso accounts that get access to the subscription.',
      error: '',
      usersLabel: 'Accounts',
      requiredMessage: 'Please fill this in.',
      users: [
        {
          title: 'Jane (jane@contoso.onmicrosoft.com)',
          value: 'b7078861-5420-4a6d-943d-0179c0d46d5c',
        },
        {
          title: 'Tricia (tricia@contoso.onmicrosoft.com)',
          value: 'af1975d2-c139-4707-b3a3-5559acbe1ebd',
        },
      ],
      usersStyle: 'expanded',
      usersDataset: '',
      roleLabel: 'Role',
      roles: [
        { title: 'Owner', value: 'Owner' },
        { title: 'Contributor', value: 'Contributor' },
        { title: 'Reader', value: 'Reader' },
      ],
      restoreLabel: 'Also give back the access the move removed (4 assignments).',
      showRestore: true,
      restoreChoicesLabel: 'What to give back',
      restoreChoices: [
        { title: 'sam.dev@outlook.com · Reader · resourceGroups/rg-web', value: 'r0' },
      ],
      restoreChosen: 'r0',
      restoreMore: '',
      grantLabel: 'Give access',
      cancelLabel: 'Cancel',
    },
    texts: [
      'Jane (jane@contoso.onmicrosoft.com)',
      'b7078861-5420-4a6d-943d-0179c0d46d5c',
      'Tricia (tricia@contoso.onmicrosoft.com)',
      'Contributor',
      'Give access',
    ],
    verbs: ['access.grant', 'link.cancel'],
    inputs: ['principalIds', 'role', 'restore', 'restoreIds'],
  },
  outcome: {
    data: {
      title: 'Access test',
      text: '2 of 2 accounts can reach the subscription.',
      color: 'Good',
      facts: [
        { title: 'Jane', value: 'Owner given · verified' },
        { title: 'Tricia', value: 'already had Owner · verified' },
      ],
    },
    texts: ['Access test', '2 of 2 accounts can reach the subscription.', 'Owner given · verified'],
    verbs: [],
    inputs: [],
  },
  checklist: {
    data: {
      ...ids,
      title: 'After the move: what is left to do in Pay-As-You-Go',
      text: 'The subscription now trusts Contoso.',
      facts: [
        {
          title: '1.',
          value: 'Key vaults (1): kv-web. Update its tenant ID. How: https://learn.microsoft.com',
        },
      ],
      offerText: '1 key vault can be updated now.',
      offerLabel: 'Update the key vaults',
      confirmLabel: 'I confirm: update the key vaults to Contoso',
      requiredMessage: 'Tick the box to confirm.',
      fixLabel: 'Update the key vaults',
      laterLabel: 'Not now',
    },
    texts: [
      'After the move: what is left to do in Pay-As-You-Go',
      '1 key vault can be updated now.',
      'I confirm: update the key vaults to Contoso',
    ],
    verbs: ['keyvault.fix', 'checklist.done'],
    inputs: ['confirmKeyVaults'],
  },
  approval: {
    data: {
      ...ids,
      title: 'Approval needed: directory change',
      text: 'Kelley Wall asks to move Pay-As-You-Go to the Contoso directory.',
      color: 'Warning',
      facts: [
        { title: 'Subscription', value: `${SUB.name} (${SUB.id})` },
        { title: 'Asked of', value: '1 of Contoso Change Board' },
      ],
      impactTitle: 'Who loses access',
      impact: [{ line: '3 role assignments are removed' }],
      decisionsTitle: 'Answers',
      decisions: [{ line: 'Megan Bowen approved' }],
      expires: 'Expires in 24 hours',
      canDecide: true,
      reasonLabel: 'Reason',
      approveLabel: 'Approve',
      rejectLabel: 'Reject',
    },
    texts: [
      'Approval needed: directory change',
      '3 role assignments are removed',
      'Megan Bowen approved',
      'Expires in 24 hours',
    ],
    verbs: ['approval.approve', 'approval.reject'],
    inputs: ['reason'],
  },
  policy: {
    data: {
      ...ids,
      title: 'Approval policy',
      text: 'Who must approve a directory change.',
      current: 'Today: off',
      approversLabel: 'Approvers',
      approvers: 'group',
      approverChoices: [
        { title: 'Off', value: 'off' },
        { title: 'Members of an Entra group', value: 'group' },
        { title: 'Global Administrators', value: 'globalAdministrators' },
      ],
      groupLabel: 'Group object id',
      groupId: '8b1d6e3f-4a2c-4f7e-9d05-3c6a1b2e7f48',
      requiredLabel: 'Approvals needed',
      required: 2,
      channelLabel: 'Channel',
      channel: '19:team@thread.tacv2',
      channelChoices: [{ title: 'Contoso IT', value: '19:team@thread.tacv2' }],
      expiryLabel: 'Expires after (hours)',
      expiryHours: 24,
      saveLabel: 'Save',
    },
    texts: ['Approval policy', 'Today: off', 'Global Administrators', 'Contoso IT'],
    verbs: ['policy.save'],
    inputs: ['approvers', 'groupId', 'required', 'channel', 'expiryHours'],
  },
  channelNotice: {
    data: {
      title: 'Office 365 and Azure are linked',
      text: `The Azure subscription ${SUB.name} now trusts the Contoso directory.`,
      facts: [
        { title: 'Subscription', value: `${SUB.name} (${SUB.id})` },
        { title: 'Linked by', value: 'Kelley Wall (admin@contoso.onmicrosoft.com)' },
      ],
      at: '2026-11-30T13:24:42Z',
      atLabel: 'When',
      approvalsTitle: 'Approvals',
      approvals: [{ line: 'Megan Bowen approved 30 Nov 2026 13:00' }],
      portalLabel: 'Open in the Azure portal',
      portalUrl: `https://portal.azure.com/#@${CONTOSO.tenantId}/resource/subscriptions/${SUB.id}/overview`,
    },
    texts: [
      'Office 365 and Azure are linked',
      `${SUB.name} (${SUB.id})`,
      'Kelley Wall (admin@contoso.onmicrosoft.com)',
      'When {{DATE(2026-11-30T13:24:42Z, SHORT)}} {{TIME(2026-11-30T13:24:42Z)}}',
      'Approvals',
      'Megan Bowen approved 30 Nov 2026 13:00',
    ],
    verbs: [],
    inputs: [],
  },
  historyList: {
    data: {
      title: 'The last link into this directory',
      text: 'Open a link for its record.',
      rows: [
        {
          ...ids,
          subscription: SUB.name,
          at: '2026-11-30T13:24:42Z',
          line: 'linked · started by Kelley Wall',
          openLabel: 'Open',
        },
      ],
    },
    texts: [
      `${SUB.name} · {{DATE(2026-11-30T13:24:42Z, SHORT)}} {{TIME(2026-11-30T13:24:42Z)}}`,
      'linked · started by Kelley Wall',
    ],
    verbs: ['history.open'],
    inputs: [],
  },
  historyRecord: {
    data: {
      ...ids,
      title: `${SUB.name}: linked`,
      color: 'Good',
      startedLabel: 'Started by Kelley Wall:',
      createdAt: '2026-11-30T13:20:00Z',
      updatedLabel: 'Last change:',
      updatedAt: '2026-11-30T13:24:42Z',
      facts: [{ title: 'Subscription', value: `${SUB.name} (${SUB.id})` }],
      assignmentsTitle: 'The role assignment the move removed',
      assignments: ['sam.dev@outlook.com · Contributor · the subscription: given back'],
      assignmentsMore: '',
      checklistTitle: 'After-move checklist',
      checklist: ['Nothing left to check.'],
      approvalsTitle: 'Approvals',
      approvals: [{ line: 'Megan Bowen approved 30 Nov 2026 13:21' }],
      auditTitle: 'Audit trail (1 change)',
      audit: [{ at: '2026-11-30T13:22:00Z', line: 'changeTenantRequest · done' }],
      auditMore: '',
      exportLabel: 'Export as a file',
    },
    texts: [
      'Started by Kelley Wall: {{DATE(2026-11-30T13:20:00Z, SHORT)}} {{TIME(2026-11-30T13:20:00Z)}}',
      'sam.dev@outlook.com · Contributor · the subscription: given back',
      'Megan Bowen approved 30 Nov 2026 13:21',
      '{{DATE(2026-11-30T13:22:00Z, SHORT)}} {{TIME(2026-11-30T13:22:00Z)}} · changeTenantRequest · done',
    ],
    verbs: ['history.export'],
    inputs: [],
  },
};

type JsonObject = Record<string, unknown>;

/** Every object of a JSON tree, depth first. */
function objects(node: unknown): JsonObject[] {
  if (Array.isArray(node)) return node.flatMap(objects);
  if (node && typeof node === 'object') {
    return [node as JsonObject, ...Object.values(node).flatMap(objects)];
  }
  return [];
}

/** Every string value of a JSON tree. */
function strings(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node && typeof node === 'object') return Object.values(node).flatMap(strings);
  return [];
}

const ofType = (card: unknown, type: string) => objects(card).filter((o) => o.type === type);

function versionAtLeast(version: unknown, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)$/.exec(String(version));
  if (!match) return false;
  const [ma, mi] = [Number(match[1]), Number(match[2])];
  return ma > major || (ma === major && mi >= minor);
}

function render<N extends TemplateName>(name: N): AdaptiveCardJson {
  return renderCard(name, FIXTURES[name].data);
}

describe('card templates', () => {
  it('has a fixture for exactly the templates of TEMPLATE_NAMES', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual([...TEMPLATE_NAMES].sort());
  });

  describe.each([...TEMPLATE_NAMES])('%s', (name) => {
    const fixture: Fixture<TemplateName> = FIXTURES[name];

    it('is an AdaptiveCard of version 1.4 or later', () => {
      const card = render(name);
      expect(card.type).toBe('AdaptiveCard');
      expect(versionAtLeast(card.version, 1, 4)).toBe(true);
      expect(Array.isArray(card.body)).toBe(true);
      expect(card.body.length).toBeGreaterThan(0);
    });

    it('leaves no template expression or templating keyword behind', () => {
      const card = render(name);
      expect(JSON.stringify(card)).not.toContain('${');
      const leftovers = objects(card).filter((o) => '$data' in o || '$when' in o);
      expect(leftovers).toEqual([]);
    });

    it('shows the data it was given', () => {
      const shown = strings(render(name));
      for (const text of fixture.texts) expect(shown).toContain(text);
    });

    it('ties every Action.Execute to the flow and the card with a known verb', () => {
      const executes = ofType(render(name), 'Action.Execute');
      expect(executes.map((a) => a.verb)).toEqual(fixture.verbs);
      for (const action of executes) {
        expect(typeof action.verb).toBe('string');
        expect(VERBS).toHaveProperty([action.verb as string], true);
        expect(action.data).toEqual({ flowId: FLOW_ID, cardId: CARD_ID });
        expect(typeof action.title).toBe('string');
        expect(action.title).not.toBe('');
      }
    });

    it('has the inputs its verbs read', () => {
      const inputIds = objects(render(name))
        .filter((o) => typeof o.type === 'string' && o.type.startsWith('Input.'))
        .map((o) => o.id);
      expect(inputIds).toEqual(fixture.inputs);
    });

    it('shows no date or time as plain text (DATE()/TIME() in a TextBlock only)', () => {
      expect(rawDatesIn(render(name))).toEqual([]);
    });

    it('renders the same card twice (templates are not mutated by expansion)', () => {
      expect(render(name)).toEqual(render(name));
    });
  });

  it('expands lists item by item', () => {
    const impact = render('impact');
    const rows = strings(impact).filter((s) => s.startsWith('• '));
    expect(rows).toHaveLength(
      FIXTURES.impact.data.assignments.length +
        FIXTURES.impact.data.inherited.length +
        FIXTURES.impact.data.restoreLines.length +
        FIXTURES.impact.data.inventoryChecks.length,
    );
    const [users] = ofType(render('grantAccess'), 'Input.ChoiceSet');
    expect(users?.choices).toEqual(FIXTURES.grantAccess.data.users);
    const preflightRules = ofType(render('preflight'), 'Container').filter((c) => c.separator);
    expect(preflightRules).toHaveLength(FIXTURES.preflight.data.rules.length);
  });

  it.each<[string, () => AdaptiveCardJson, string, boolean]>([
    [
      'confirm without error',
      () => renderCard('confirm', { ...FIXTURES.confirm.data, error: '' }),
      FIXTURES.confirm.data.error,
      false,
    ],
    ['confirm with error', () => render('confirm'), FIXTURES.confirm.data.error, true],
    [
      'signIn without error',
      () => renderCard('signIn', { ...FIXTURES.signIn.data, error: '' }),
      FIXTURES.signIn.data.error,
      false,
    ],
    [
      'guidedMove without status',
      () => renderCard('guidedMove', { ...FIXTURES.guidedMove.data, status: '' }),
      FIXTURES.guidedMove.data.status,
      false,
    ],
    [
      'impact with more',
      () => renderCard('impact', { ...FIXTURES.impact.data, moreText: '…and 3 more.' }),
      '…and 3 more.',
      true,
    ],
  ])('shows optional text only when set: %s', (_what, make, text, shown) => {
    const card = make();
    expect(strings(card).includes(text)).toBe(shown);
    // No empty TextBlock is left where the optional text was.
    expect(ofType(card, 'TextBlock').filter((t) => t.text === '')).toEqual([]);
  });

  it('drops the fix of a passing rule', () => {
    const blocks = ofType(render('preflight'), 'TextBlock').map((t) => t.text);
    expect(blocks.filter((t) => t === '')).toEqual([]);
    expect(blocks).toContain("Make another account the subscription's Owner for the move.");
  });

  it('wraps a card as an adaptive card attachment', () => {
    const card = render('outcome');
    expect(cardAttachment(card)).toEqual({
      contentType: ADAPTIVE_CARD_CONTENT_TYPE,
      content: card,
    });
    expect(ADAPTIVE_CARD_CONTENT_TYPE).toBe('application/vnd.microsoft.card.adaptive');
  });
});

describe('card size (Teams refuses cards over ~28 KB)', () => {
  const cards = new LinkCards(new Localizer(join(__dirname, '..', '..', 'locales')), 'en-US');
  const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
  const NO_INVENTORY = inventoryPart(t, { total: 0, groups: [] }, undefined);
  const subscription = {
    subscriptionId: SUB.id,
    displayName: SUB.name,
    tenantId: 'a9ea5b18-e185-45c7-a29e-29e0de901d66',
    state: 'Enabled',
  };
  const roles = ['Owner', 'Contributor', 'Reader'] as const;
  const types = ['User', 'Group', 'ServicePrincipal'] as const;

  function bigReport(count: number): ImpactReport {
    const assignments = Array.from({ length: count }, (_, i) => {
      const hex = i.toString(16).padStart(12, '0');
      const roleName = roles[i % roles.length]!;
      return {
        id: `/subscriptions/${SUB.id}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-${hex}`,
        name: `00000000-0000-4000-8000-${hex}`,
        scope: `/subscriptions/${SUB.id}/resourceGroups/rg-${i % 40}/providers/Microsoft.Web/sites/app-${i}`,
        principalId: `11111111-0000-4000-8000-${hex}`,
        principalType: types[i % types.length]!,
        roleDefinitionId: `/subscriptions/${SUB.id}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[roleName]}`,
        roleName,
        principalName: `user${i}@contoso-partner.example.com`,
      };
    });
    const tally = (key: (a: (typeof assignments)[number]) => string) =>
      assignments.reduce<Record<string, number>>((acc, a) => {
        acc[key(a)] = (acc[key(a)] ?? 0) + 1;
        return acc;
      }, {});
    return {
      assignments,
      inherited: [],
      byPrincipalType: tally((a) => a.principalType),
      byRole: tally((a) => a.roleName),
      formerUsers: [],
      customRoles: [],
    };
  }

  const bytes = (card: AdaptiveCardJson) => Buffer.byteLength(JSON.stringify(card), 'utf8');

  it('offers a typeahead search (Data.Query) only when the list is cut', () => {
    const choice = (card: AdaptiveCardJson) =>
      (card.body as Record<string, unknown>[]).find((b) => b.type === 'Input.ChoiceSet')!;
    const short = choice(renderCard('chooseSubscription', FIXTURES.chooseSubscription.data));
    expect(short.style).toBe('expanded');
    expect(short['choices.data']).toBeUndefined();
    const long = choice(
      renderCard('chooseSubscription', {
        ...FIXTURES.chooseSubscription.data,
        style: 'filtered',
        dataset: 'subscriptions:card-1',
      }),
    );
    expect(long.style).toBe('filtered');
    expect(long['choices.data']).toEqual({ type: 'Data.Query', dataset: 'subscriptions:card-1' });
  });

  it('summarises 5,000 role assignments in the impact card and stays under 28 KB', () => {
    const data = cards.impact(
      ids,
      subscription,
      'Default Directory',
      CONTOSO,
      bigReport(5000),
      undefined,
      NO_INVENTORY,
    );
    const card = renderCard('impact', data);
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_LIMIT_BYTES);
    const texts = strings(card);
    expect(texts.filter((s) => s.startsWith('• '))).toHaveLength(IMPACT_LIST_LIMIT);
    expect(texts).toContain('The move removes all 5,000 role assignments:');
    expect(texts).toContain(
      `…and ${5000 - IMPACT_LIST_LIMIT} more (all of them are in the backup).`,
    );
    expect(texts).toContain('user: 1,667, group: 1,667, service principal: 1,666');
  });

  it('summarises an inventory of 20,000 resources of every kind on the impact card under 28 KB', () => {
    const types = [
      ['Microsoft.KeyVault/vaults', undefined],
      ['Microsoft.Compute/virtualMachines', 'SystemAssigned'],
      ['Microsoft.ManagedIdentity/userAssignedIdentities', undefined],
      ['Microsoft.Storage/storageAccounts', undefined],
      ['Microsoft.Compute/diskEncryptionSets', 'SystemAssigned'],
      ['Microsoft.ServiceBus/namespaces', undefined],
      ['Microsoft.Synapse/workspaces', undefined],
      ['Microsoft.StorageSync/storageSyncServices', undefined],
      ['Microsoft.Network/virtualNetworks', undefined],
    ] as const;
    const resources = Array.from({ length: 20_000 }, (_, i) => {
      const [type, identityType] = types[i % types.length]!;
      return {
        id: `/subscriptions/${SUB.id}/resourceGroups/rg-${i % 50}/providers/${type}/res-${i}`,
        name: `contoso-production-resource-with-a-long-name-${i}`,
        type: type.toLowerCase(),
        identityType: identityType ?? null,
        isHnsEnabled: i % 2 === 0,
      };
    });
    const policies = Array.from({ length: 500 }, (_, i) => ({
      id: `/subscriptions/${SUB.id}/providers/Microsoft.Authorization/policyAssignments/p${i}`,
      name: `policy-assignment-${i}`,
      type: 'microsoft.authorization/policyassignments',
    }));
    const inventory = classifyInventory(resources, policies);
    expect(inventory.total).toBe(20_000);
    const card = renderCard(
      'impact',
      cards.impact(
        ids,
        subscription,
        'Default Directory',
        CONTOSO,
        bigReport(5000),
        undefined,
        inventoryPart(t, inventory, undefined),
      ),
    );
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_LIMIT_BYTES);
    const toggles = ofType(card, 'Input.Toggle').map((o) => o.id);
    expect(toggles).toEqual(
      expect.arrayContaining([
        'ack_keyVault',
        'ack_systemIdentity',
        'ack_userIdentity',
        'ack_policy',
      ]),
    );
    expect(strings(card).join('\n')).toContain('and 2,217 more');
  });

  it('lists a small impact in full without a "more" line', () => {
    const card = renderCard(
      'impact',
      cards.impact(
        ids,
        subscription,
        'Default Directory',
        CONTOSO,
        bigReport(3),
        undefined,
        NO_INVENTORY,
      ),
    );
    expect(strings(card).filter((s) => s.startsWith('• '))).toHaveLength(3);
    expect(strings(card).some((s) => s.startsWith('…and'))).toBe(false);
  });

  it('keeps the subscription choice under 28 KB for an admin owning 300 subscriptions', () => {
    const subscriptions = Array.from({ length: 300 }, (_, i) => ({
      subscriptionId: `33333333-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      displayName: `Contoso Production Workload ${i}`,
      tenantId: 'a9ea5b18-e185-45c7-a29e-29e0de901d66',
      state: 'Enabled',
    }));
    const names = new Map([['a9ea5b18-e185-45c7-a29e-29e0de901d66', 'Default Directory']]);
    const card = renderCard(
      'chooseSubscription',
      cards.chooseSubscription(ids, subscriptions, names),
    );
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_LIMIT_BYTES);
  });

  it('keeps a full page of users in the grant card under 28 KB', () => {
    const users: DirectoryPerson[] = Array.from({ length: GRANT_PAGE_SIZE }, (_, i) => ({
      id: `22222222-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      displayName: `Contoso Employee With A Long Display Name ${i}`,
      userPrincipalName: `contoso.employee.with.a.long.name.${i}@contoso.onmicrosoft.com`,
      mail: null,
      otherMails: [],
    }));
    const card = renderCard('grantAccess', cards.grant(ids, users, CONTOSO));
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_LIMIT_BYTES);
    const [choices] = ofType(card, 'Input.ChoiceSet');
    expect(choices?.choices).toHaveLength(GRANT_PAGE_SIZE);
  });
});

/**
 * Every template, rendered with its representative data, is read by the Adaptive Cards library
 * itself (the `adaptivecards` package) at the schema version the card declares: an unknown element
 * or action, an invalid property value, or an element newer than the declared version is an error
 * here, as it would be a broken card in Teams (issue 19).
 */
describe('Adaptive Cards schema', () => {
  // The package's ES module build cannot be loaded through CommonJS; its UMD bundle can.
  const AC = createRequire(__filename)(
    'adaptivecards/dist/adaptivecards.js',
  ) as typeof AdaptiveCards;

  /** What the Adaptive Cards parser and validator report for a card (messages). */
  function problems(card: AdaptiveCardJson): string[] {
    const declared = AC.Version.parse(String(card.version), new AC.SerializationContext());
    const context = new AC.SerializationContext(declared);
    const parsed = new AC.AdaptiveCard();
    parsed.parse(card, context);
    const out: string[] = [];
    for (let i = 0; i < context.eventCount; i++) out.push(context.getEventAt(i).message);
    for (const event of parsed.validateProperties().validationEvents) out.push(event.message);
    return out;
  }

  it.each(TEMPLATE_NAMES)('%s parses and validates under the version it declares', (name) => {
    expect(problems(render(name))).toEqual([]);
  });

  it('reports what Teams would show broken (the check can fail)', () => {
    const broken = {
      type: 'AdaptiveCard',
      version: '1.4',
      body: [{ type: 'TextBlock', text: 'x', weight: 'Heavy' }, { type: 'Marquee' }],
    } as unknown as AdaptiveCardJson;
    const found = problems(broken).join('\n');
    expect(found).toMatch(/Heavy/);
    expect(found).toMatch(/Marquee/);
  });
});

describe("Teams' rules for every template, with the longest text a locale can bring", () => {
  /** Fields that carry ids, values or addresses (kept), not text a locale changes. */
  const KEPT = new Set([
    'flowId',
    'cardId',
    'value',
    'url',
    'ackId',
    'findIdUrl',
    'subscriptionId',
    'dataset',
    'at',
    'createdAt',
    'updatedAt',
  ]);

  /** The fixture with every text pseudo-localized (qps-ploc: accented and about 40 % longer). */
  function longest(data: unknown, key = ''): unknown {
    if (typeof data === 'string') return KEPT.has(key) ? data : pseudoLocalize(data);
    if (Array.isArray(data)) return data.map((d) => longest(d, key));
    if (data && typeof data === 'object')
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, longest(v, k)]));
    return data;
  }

  /** Action types Teams renders (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference). */
  const TEAMS_ACTIONS = new Set([
    'Action.Execute',
    'Action.OpenUrl',
    'Action.Submit',
    'Action.ShowCard',
    'Action.ToggleVisibility',
  ]);

  it.each(TEMPLATE_NAMES)(
    '%s stays under 28 KB, at version ≤ 1.5, with actions Teams renders',
    (name) => {
      const card = renderCard(name, longest(FIXTURES[name].data) as never);
      expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThan(TEAMS_CARD_LIMIT_BYTES);
      expect(Number(card.version)).toBeLessThanOrEqual(1.5);
      const actions = objects(card).filter(
        (o) => typeof o.type === 'string' && o.type.startsWith('Action.'),
      );
      for (const a of actions) expect(TEAMS_ACTIONS).toContain(a.type);
    },
  );
});

describe('dates on cards (Adaptive Cards DATE()/TIME(), each reader sees their own format)', () => {
  it('writes an instant as the functions read it: UTC, whole seconds', () => {
    expect(cardInstant('2026-11-30T13:24:42.528Z')).toBe('2026-11-30T13:24:42Z');
    expect(cardInstant('2026-11-30T14:24:42+01:00')).toBe('2026-11-30T13:24:42Z');
  });

  it('finds a date shown as plain text, and accepts one inside DATE()/TIME() of a TextBlock', () => {
    const ok = {
      type: 'TextBlock',
      text: 'At {{DATE(2026-11-30T13:24:42Z, SHORT)}} {{TIME(2026-11-30T13:24:42Z)}}',
    };
    expect(rawDatesIn({ body: [ok] })).toEqual([]);
    const raw = { type: 'TextBlock', text: 'At 2026-11-30T13:24:42.528Z' };
    expect(rawDatesIn({ body: [ok, raw] })).toEqual([raw.text]);
    // Fractions of a second: the renderers show the call as written.
    const fraction = { type: 'TextBlock', text: '{{DATE(2026-11-30T13:24:42.528Z)}}' };
    expect(rawDatesIn(fraction)).toEqual([fraction.text]);
    // In a FactSet the functions are not evaluated.
    const fact = {
      type: 'FactSet',
      facts: [{ title: 'When', value: '{{DATE(2026-11-30T13:24:42Z)}}' }],
    };
    expect(rawDatesIn(fact)).toHaveLength(1);
    expect(
      rawDatesIn({ type: 'FactSet', facts: [{ title: 'When', value: '2026-11-30 13:24 UTC' }] }),
    ).toHaveLength(1);
  });

  it('binds every instant field of a template inside DATE()/TIME() of a TextBlock', () => {
    const instantFields = /\$\{(at|createdAt|updatedAt)\}/g;
    for (const name of TEMPLATE_NAMES) {
      const text = JSON.stringify(
        JSON.parse(readFileSync(join(__dirname, '../../cards', `${name}.json`), 'utf8')),
      );
      const outside = text
        .replace(/\{\{(?:DATE|TIME)\(\$\{\w+\}(?:, ?(?:COMPACT|LONG|SHORT))?\)\}\}/g, '')
        .match(instantFields);
      expect({ name, outside }).toEqual({ name, outside: null });
    }
  });

  it('writes every DATE()/TIME() so that the adaptivecards JS renderer formats it (Playground)', () => {
    // The renderer's own patterns (its text-formatters module is ES only: read as text).
    const source = readFileSync(
      join(__dirname, '../../node_modules/adaptivecards/lib/text-formatters.js'),
      'utf8',
    );
    const patterns = [...source.matchAll(/new (?:Date|Time)Formatter\(\/(.+?)\/g\)/g)].map(
      (m) => new RegExp(m[1]!, 'g'),
    );
    expect(patterns).toHaveLength(2);
    for (const name of TEMPLATE_NAMES) {
      for (const text of strings(render(name)).filter((t) => /\{\{(DATE|TIME)\(/.test(t))) {
        const left = patterns.reduce((t, p) => t.replace(p, ''), text);
        expect({ name, left }).toEqual({
          name,
          left: expect.not.stringMatching(/\{\{(DATE|TIME)\(/),
        });
      }
    }
  });
});
