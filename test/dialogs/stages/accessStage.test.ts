import type { DirectoryPerson } from '../../../src/domain/rules';
import type { Office365DirectoryPort } from '../../../src/domain/ports';
import { TenantlinkError } from '../../../src/errors';
import { AccessDialog } from '../../../src/dialogs/link/accessDialog';
import type { AccessNotices, AccessOutcome } from '../../../src/dialogs/link/accessDialog';
import { VERB } from '../../../src/dialogs/verbs';
import type { PlannedWrite } from '../../../src/domain/model';
import type { AccessJobResult, AccessStage } from '../../../src/link/accessJob';
import type { MovedFlow } from '../../../src/link/stages';
import type { ChangeRecordStore } from '../../../src/state/changeRecords';
import { CHOSEN } from './fixtures';
import { FakeBackground, StageHarness, basePorts } from './stageHarness';

/**
 * The access stage (grant card, the access job: grant, restore, test, then the notice to the team
 * channels through LinkNotices) on fake ports: what it offers, what the answer starts and how it
 * ends for each outcome of the job, and that only the initiator's answer counts.
 */

const MEGAN: DirectoryPerson = {
  id: 'megan',
  displayName: 'Megan Bowen',
  userPrincipalName: 'megan@contoso.com',
  mail: 'megan@contoso.com',
  otherMails: [],
};
const ALEX: DirectoryPerson = { ...MEGAN, id: 'alex', displayName: 'Alex Wilber' };

interface Case {
  readonly name: string;
  /** The writes the link's recording ports listed before this stage. */
  readonly plan?: readonly PlannedWrite[];
  readonly job: AccessOutcome | Error;
  /** Team channels the notice reached. */
  readonly channels: number;
  readonly outcome: 'next' | 'failed' | 'linked';
  readonly statuses: readonly string[];
  /** Whether the channels were told (only after a job that worked). */
  readonly noticed: boolean;
}

const GRANTED: AccessJobResult = {
  grants: [{ user: MEGAN, role: 'Contributor', outcome: 'granted' }],
  tested: [{ user: MEGAN, ok: true }],
  missing: 0,
};

const MOVE_WRITE: PlannedWrite = {
  method: 'PUT',
  path: '/subscriptions/sub-1/providers/Microsoft.Subscription/changeTenantRequest/default',
  summary: 'changeTenantRequest',
};
const GRANT_WRITE: PlannedWrite = {
  method: 'PUT',
  path: '/subscriptions/sub-1/providers/Microsoft.Authorization/roleAssignments/ra-1',
  summary: 'roleAssignment',
};

const CASES: Case[] = [
  {
    name: 'granted, tested, two channels told',
    job: GRANTED,
    channels: 2,
    outcome: 'next',
    statuses: [],
    noticed: true,
  },
  {
    name: 'granted, no channel to tell',
    job: GRANTED,
    channels: 0,
    outcome: 'next',
    statuses: [],
    noticed: true,
  },
  {
    name: 'granted, one chosen account not in the directory',
    job: { ...GRANTED, missing: 1 },
    channels: 2,
    outcome: 'next',
    statuses: [],
    noticed: true,
  },
  {
    name: 'with the writes recorded: the whole plan shown, the link ends here',
    plan: [MOVE_WRITE],
    job: { kind: 'recorded', grants: GRANTED.grants, writes: [GRANT_WRITE], missing: 1 },
    channels: 1,
    outcome: 'linked',
    statuses: [],
    noticed: true,
  },
  {
    name: 'a failed job',
    job: new TenantlinkError('cloudThrottled', {}),
    channels: 1,
    outcome: 'failed',
    statuses: ['failed'],
    noticed: false,
  },
];

/** The stage with fake ports, and what its job and notices were given. */
function setup(c: Case): {
  h: StageHarness<MovedFlow>;
  jobs: { userId: string; stage: AccessStage }[];
  notices: string[];
  statuses: string[];
} {
  const ports = basePorts();
  const background = new FakeBackground();
  const jobs: { userId: string; stage: AccessStage }[] = [];
  const notices: string[] = [];
  const directory = {
    listUsers: async () => ({ users: [MEGAN, ALEX], cursor: undefined }),
  } as unknown as Office365DirectoryPort;
  const stage = new AccessDialog({
    ...ports,
    procedure: {
      ...ports.procedure,
      directory: () => directory,
    },
    changes: { get: async () => undefined } as unknown as ChangeRecordStore,
    background,
    accessJob: async (userId, s) => {
      jobs.push({ userId, stage: s });
      if (c.job instanceof Error) throw c.job;
      return c.job;
    },
    notices: {
      linked: async (flowId) => {
        notices.push(flowId);
        return c.channels;
      },
    } satisfies AccessNotices,
    portalUrl: 'https://portal.azure.com',
  });
  return {
    h: new StageHarness<MovedFlow>(stage, background),
    jobs,
    notices,
    statuses: ports.statuses,
  };
}

it.each(CASES)('ends $name', async (c) => {
  const { h, jobs, notices, statuses } = setup(c);
  await h.begin(c.plan ? { ...CHOSEN, plan: c.plan } : CHOSEN);
  // The grant card offers the Office 365 users.
  const card = JSON.stringify(h.lastCard());
  expect(card).toMatch(/Megan Bowen/);
  expect(card).toMatch(/Alex Wilber/);
  expect(jobs).toEqual([]);
  await h.click(VERB.grantAccess, { principalIds: 'megan', role: 'Contributor', restore: 'false' });
  // The answer starts the job as the initiator, with what was chosen.
  expect(jobs).toHaveLength(1);
  expect(jobs[0]?.userId).toBe(CHOSEN.initiatorId);
  expect(jobs[0]?.stage).toMatchObject({
    flowId: CHOSEN.flowId,
    subscriptionId: CHOSEN.subscription.subscriptionId,
    role: 'Contributor',
    principalIds: ['megan'],
    restore: false,
  });
  expect(h.ended).toBeUndefined();
  await h.finishJob();
  expect(notices).toEqual(c.noticed ? [CHOSEN.flowId] : []);
  if (c.outcome === 'next') {
    expect(h.ended).toEqual({ next: CHOSEN });
    // The done text says how many channels were told, or how to have them told.
    const done = h.texts().find((t) => t.startsWith('Done: Pay-As-You-Go trusts Contoso.'));
    expect(done).toMatch(c.channels > 0 ? /I told 2 team channels/ : /Install me in a team/);
    // Chosen accounts the directory does not have are said to be left out.
    const missing = h.texts().some((t) => /1 chosen account is not in Contoso/.test(t));
    expect(missing).toBe((c.job as AccessJobResult).missing > 0);
    // The access results card names the user granted.
    expect(JSON.stringify(h.lastCard())).toMatch(/Megan Bowen/);
  } else expect(h.ended).toEqual({ ended: { outcome: c.outcome, flowId: CHOSEN.flowId } });
  if (c.outcome === 'linked') {
    // The plan card lists the writes before this stage's, then its own, numbered in order.
    const facts = (h.lastCard().body as { facts?: { title: string; value: string }[] }[])
      .flatMap((b) => b.facts ?? [])
      .map((f) => `${f.title} ${f.value}`);
    expect(facts).toEqual([`1. PUT ${MOVE_WRITE.path}`, `2. PUT ${GRANT_WRITE.path}`]);
    expect(h.texts().some((t) => /1 chosen account is not in Contoso/.test(t))).toBe(true);
    expect(h.texts().at(-1)).toMatch(/^Dry run done: 2 writes listed, nothing changed/);
  }
  expect(statuses).toEqual(c.statuses);
});

it("counts only the initiator's answer", async () => {
  const { h, jobs } = setup(CASES[0] as Case);
  await h.begin(CHOSEN);
  const inputs = { principalIds: 'megan', role: 'Owner', restore: 'false' };
  await h.clickAs({ id: 'user2', name: 'User2' }, VERB.grantAccess, inputs);
  expect(jobs).toEqual([]);
  expect(h.ended).toBeUndefined();
  await h.click(VERB.grantAccess, inputs);
  expect(jobs).toHaveLength(1);
});

it('asks again when no account is chosen', async () => {
  const { h, jobs } = setup(CASES[0] as Case);
  await h.begin(CHOSEN);
  await h.click(VERB.grantAccess, { principalIds: 'nobody', role: 'Owner', restore: 'false' });
  expect(jobs).toEqual([]);
  expect(h.ended).toBeUndefined();
});
