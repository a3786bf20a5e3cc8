import type { AzureManagementPort } from '../../../src/domain/ports';
import { TenantlinkError, errorToJson } from '../../../src/errors';
import { MoveDialog } from '../../../src/dialogs/link/moveDialog';
import type { MoveOutcome } from '../../../src/dialogs/link/moveDialog';
import type { PlannedWrite } from '../../../src/domain/model';
import type { MoveJobResult } from '../../../src/link/moveJob';
import type { ConfirmedFlow } from '../../../src/link/stages';
import type { ChangeRecord, ChangeStatus } from '../../../src/state/changeRecords';
import { CHOSEN } from './fixtures';
import { EndsWith, FakeBackground, StageHarness, basePorts } from './stageHarness';

/**
 * The move stage (job, guided path, verify, propagation) on fake ports: how it ends for each
 * outcome of the move job, of the guided path and of the verification.
 */

const GUIDED = 'fakeGuided';

interface Case {
  readonly name: string;
  /** The writes the link's recording ports listed before this stage. */
  readonly plan?: readonly PlannedWrite[];
  readonly job: MoveOutcome | Error;
  /** The record's status when the job failed (a request made, never accepted, is withdrawn). */
  readonly recordStatus?: ChangeStatus;
  /** How the guided path ends (when the job says refused). */
  readonly guided?: boolean;
  readonly verified: boolean;
  readonly outcome: string;
  readonly statuses: readonly string[];
  readonly withdrawn: boolean;
}

const refused: MoveJobResult = {
  kind: 'refused',
  stage: 'request',
  error: errorToJson(
    new TenantlinkError('moveRefused', { params: { serviceMessage: 'not allowed' } }),
  ),
};

const APPROVAL_WRITE: PlannedWrite = { method: 'POST', path: '/teams/t/approval', summary: 'ask' };
const MOVE_WRITES: PlannedWrite[] = [
  { method: 'PUT', path: '/subscriptions/s/changeTenantRequest/default', summary: 'request' },
  { method: 'POST', path: '/subscriptions/s/acceptChangeTenant', summary: 'accept' },
];

const CASES: Case[] = [
  {
    name: 'with its writes recorded: on with them after the plan so far, nothing verified',
    plan: [APPROVAL_WRITE],
    job: { kind: 'recorded', writes: MOVE_WRITES },
    verified: false,
    outcome: 'next',
    statuses: ['confirmed'],
    withdrawn: false,
  },
  {
    name: 'moved and verified',
    job: { kind: 'moved', alreadyThere: false, visible: true },
    verified: true,
    outcome: 'next',
    statuses: ['confirmed'],
    withdrawn: false,
  },
  {
    name: 'moved, not verified',
    job: { kind: 'moved', alreadyThere: false, visible: true },
    verified: false,
    outcome: 'failed',
    statuses: ['confirmed'],
    withdrawn: false,
  },
  {
    name: 'moved, not shown yet by the new directory',
    job: { kind: 'moved', alreadyThere: false, visible: false },
    verified: true,
    outcome: 'awaitingDirectory',
    statuses: ['confirmed'],
    withdrawn: false,
  },
  {
    name: 'refused, then moved by the guided path',
    job: refused,
    guided: true,
    verified: true,
    outcome: 'next',
    statuses: ['confirmed'],
    withdrawn: false,
  },
  {
    name: 'refused, the guided path cancelled',
    job: refused,
    guided: false,
    verified: true,
    outcome: 'cancelled',
    statuses: ['confirmed', 'cancelled'],
    withdrawn: false,
  },
  {
    name: 'failed after the request: withdrawn',
    job: new TenantlinkError('cloudThrottled', {}),
    recordStatus: 'moveRequested',
    verified: true,
    outcome: 'failed',
    statuses: ['confirmed', 'failed'],
    withdrawn: true,
  },
  {
    name: 'failed after the acceptance: kept',
    job: new TenantlinkError('cloudThrottled', {}),
    recordStatus: 'moveAccepted',
    verified: true,
    outcome: 'failed',
    statuses: ['confirmed', 'failed'],
    withdrawn: false,
  },
];

it.each(CASES)('ends $name', async (c) => {
  const ports = basePorts();
  const background = new FakeBackground();
  let withdrawn = false;
  const stage = new MoveDialog({
    ...ports,
    procedure: {
      ...ports.procedure,
      azure: () => ({}) as AzureManagementPort,
      verify: async () => c.verified,
      withdrawDirectoryChange: async () => void (withdrawn = true),
    },
    changes: { get: async () => ({ status: c.recordStatus }) as ChangeRecord },
    background,
    moveJob: async () => {
      if (c.job instanceof Error) throw c.job;
      return c.job;
    },
    guidedMoveDialogId: GUIDED,
  });
  const h = new StageHarness<ConfirmedFlow>(stage, background, [
    new EndsWith(GUIDED, c.guided ?? false),
  ]);
  const flow: ConfirmedFlow = c.plan ? { ...CHOSEN, plan: c.plan } : CHOSEN;
  await h.begin(flow);
  expect(h.ended).toBeUndefined();
  await h.finishJob();
  // Writes recorded go on the flow's plan, after those listed before.
  const recorded = !(c.job instanceof Error) && c.job.kind === 'recorded' ? c.job.writes : [];
  if (c.outcome === 'next')
    expect(h.ended).toEqual({
      next: c.plan ? { ...CHOSEN, plan: [...c.plan, ...recorded] } : CHOSEN,
    });
  else expect(h.ended).toEqual({ ended: { outcome: c.outcome, flowId: CHOSEN.flowId } });
  expect(ports.statuses).toEqual(c.statuses);
  expect(withdrawn).toBe(c.withdrawn);
});
