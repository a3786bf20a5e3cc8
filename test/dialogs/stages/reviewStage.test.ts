import type { Inventory } from '../../../src/domain/inventory';
import { TenantlinkError } from '../../../src/errors';
import type { ImpactJobResult, ImpactStage } from '../../../src/link/impactJob';
import type { ImpactReport } from '../../../src/link/impact';
import { ReviewDialog } from '../../../src/dialogs/link/reviewDialog';
import { VERB } from '../../../src/dialogs/verbs';
import type { ChosenFlow } from '../../../src/link/stages';
import type { SubscriptionLock } from '../../../src/state/subscriptionLocks';
import { CHOSEN } from './fixtures';
import { FakeBackground, StageHarness, basePorts } from './stageHarness';

/**
 * The review stage (lock, impact, acknowledgements, confirm) on fake ports: how it ends for each
 * lock, impact job and answer, and that whatever ends it releases the lock it took.
 */

const REPORT: ImpactReport = {
  assignments: [],
  inherited: [],
  byPrincipalType: {},
  byRole: {},
  formerUsers: [],
  customRoles: [],
} as unknown as ImpactReport;

const AKS: Inventory = {
  total: 1,
  groups: [{ kind: 'aks', severity: 'blocks', count: 1, names: ['aks-1'] }],
};

interface Case {
  readonly name: string;
  readonly held?: boolean;
  readonly impact: ImpactJobResult | Error;
  /** The clicks after the impact card, in order. */
  readonly clicks: readonly [string, Record<string, string>?][];
  readonly outcome: string | 'next';
  /** The statuses the change record was moved to. */
  readonly statuses: readonly string[];
  readonly locked: boolean;
}

const confirm: [string, Record<string, string>] = [
  VERB.confirmMove,
  { typedName: 'pay-as-you-go' },
];

const CASES: Case[] = [
  {
    name: 'confirmed',
    impact: { report: REPORT },
    clicks: [[VERB.continueImpact], confirm],
    outcome: 'next',
    statuses: [],
    locked: true,
  },
  {
    name: 'held by another flow',
    held: true,
    impact: { report: REPORT },
    clicks: [],
    outcome: 'subscriptionBusy',
    statuses: [],
    locked: false,
  },
  {
    name: 'stopped by a resource that cannot move',
    impact: { report: REPORT, inventory: AKS },
    clicks: [],
    outcome: 'blocked',
    statuses: ['blocked'],
    locked: true,
  },
  {
    name: 'a failed review',
    impact: new TenantlinkError('cloudThrottled', {}),
    clicks: [],
    outcome: 'failed',
    statuses: ['failed'],
    locked: true,
  },
  {
    name: 'cancelled on the impact card',
    impact: { report: REPORT },
    clicks: [[VERB.cancel]],
    outcome: 'cancelled',
    statuses: ['cancelled'],
    locked: true,
  },
  {
    name: 'cancelled on the confirm card',
    impact: { report: REPORT },
    clicks: [[VERB.continueImpact], [VERB.cancel]],
    outcome: 'cancelled',
    statuses: ['cancelled'],
    locked: true,
  },
];

it.each(CASES)('ends $name', async (c) => {
  const ports = basePorts();
  const statuses = ports.statuses;
  const locks: string[] = [];
  const background = new FakeBackground();
  const holder = { holderName: 'Megan', since: new Date().toISOString(), flowId: 'other' };
  const stage = new ReviewDialog({
    ...ports,
    procedure: {
      ...ports.procedure,
      lock: async ({ subscriptionId }) => {
        if (c.held) return { acquired: false, holder: holder as SubscriptionLock };
        locks.push(subscriptionId);
        return { acquired: true };
      },
      record: async (_flowId, _by, status) => void statuses.push(status),
    },
    background,
    impactJob: async () => {
      if (c.impact instanceof Error) throw c.impact;
      return c.impact;
    },
  });
  const h = new StageHarness<ChosenFlow>(stage, background);
  await h.begin(CHOSEN);
  if (!c.held) await h.finishJob();
  for (const [verb, inputs] of c.clicks)
    await h.click(verb, verb === VERB.continueImpact ? h.acknowledged() : inputs);
  if (c.outcome === 'next') expect(h.ended).toEqual({ next: CHOSEN });
  else expect(h.ended).toEqual({ ended: { outcome: c.outcome, flowId: CHOSEN.flowId } });
  expect(statuses).toEqual(c.statuses);
  expect(locks.length > 0).toBe(c.locked);
  // A link that ends here releases its lock; one that goes on keeps it.
  expect(ports.unlocked).toEqual(c.outcome === 'next' ? [] : [CHOSEN.subscription.subscriptionId]);
});

it('refuses a wrong typed name with the card again', async () => {
  const ports = basePorts();
  const background = new FakeBackground();
  const stage = new ReviewDialog({
    ...ports,
    procedure: {
      ...ports.procedure,
      lock: async () => ({ acquired: true }),
      record: async () => undefined,
    },
    background,
    impactJob: async () => ({ report: REPORT }),
  });
  const h = new StageHarness<ChosenFlow>(stage, background);
  await h.begin(CHOSEN);
  await h.finishJob();
  await h.click(VERB.continueImpact, h.acknowledged());
  await h.click(VERB.confirmMove, { typedName: 'Pay-As-You-Gone' });
  expect(h.ended).toBeUndefined();
  expect(JSON.stringify(h.lastCard())).toMatch(/Pay-As-You-Go/);
});

it.each([
  ['named by tenant discovery', CHOSEN.directoryNames, { sourceTenantName: 'Default Directory' }],
  ['not named (the id alone)', {}, {}],
])(
  "gives the impact job the directories' names for the record: source %s",
  async (_name, directoryNames, source) => {
    const ports = basePorts();
    const background = new FakeBackground();
    const stages: ImpactStage[] = [];
    const stage = new ReviewDialog({
      ...ports,
      procedure: {
        ...ports.procedure,
        lock: async () => ({ acquired: true }),
        record: async () => undefined,
      },
      background,
      impactJob: async (_userId, s) => {
        stages.push(s);
        return { report: REPORT };
      },
    });
    const h = new StageHarness<ChosenFlow>(stage, background);
    await h.begin({ ...CHOSEN, directoryNames });
    await h.finishJob();
    expect(stages).toHaveLength(1);
    expect(stages[0]).toEqual({
      flowId: CHOSEN.flowId,
      initiatorId: CHOSEN.initiatorId,
      initiatorName: CHOSEN.initiatorName,
      subscriptionId: CHOSEN.subscription.subscriptionId,
      subscriptionName: CHOSEN.subscription.displayName,
      sourceTenantId: CHOSEN.subscription.tenantId,
      destinationTenantId: CHOSEN.org.tenantId,
      destinationTenantName: CHOSEN.org.displayName,
      ...source,
    });
  },
);
