import { DIRECTORY_CHANGE_STATUS, type DirectoryChange } from '../../src/domain/model';
import type { AzureManagementPort } from '../../src/domain/ports';
import { TenantlinkError } from '../../src/errors';
import { changeDirectoryJob, type MoveStage } from '../../src/link/moveJob';
import type { ChangeStatus } from '../../src/state/changeRecords';
import { createRecord, testProcedure } from '../helpers/procedure';

/**
 * The directory change job on fake ports (issue 18's fast layer): every combination of where the
 * subscription is, what the change record says, what request is pending at Azure, and how Azure
 * answers the request and the acceptance — 288 cases in well under a second. Each case checks the
 * job's outcome, the calls it made and the change record against the rules of
 * https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription as tenantlink
 * applies them (src/link/move.ts): at most one request, none when one is pending to the same
 * directory or the acceptance is already done, no acceptance after a refused request, a request
 * refused at its acceptance withdrawn, every write recorded.
 */

const SOURCE = '11111111-1111-1111-1111-111111111111';
const DEST = '22222222-2222-2222-2222-222222222222';
const OTHER = '33333333-3333-3333-3333-333333333333';
const SUB = 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa';

type Where = 'source' | 'destination';
type Before = 'none' | 'confirmed' | 'moveRequested' | 'moveAccepted';
type Pending = 'none' | 'sameInitiated' | 'otherInitiated' | 'sameCompleted';
type Answer = 'ok' | 'refused' | 'fails';

interface Case {
  readonly where: Where;
  readonly before: Before;
  readonly pending: Pending;
  readonly request: Answer;
  readonly accept: Answer;
}

/** Azure as the job sees it through its two accounts, with the calls counted. */
class FakeAzure {
  tenantId: string;
  pending: DirectoryChange | undefined;
  readonly calls = { request: 0, accept: 0, withdraw: 0 };
  /** How many times the destination's admin read the subscription. */
  looks = 0;

  constructor(private readonly c: Case) {
    this.tenantId = c.where === 'destination' ? DEST : SOURCE;
    const change = (to: string, status: string): DirectoryChange => ({
      subscriptionId: SUB,
      destinationTenantId: to,
      destinationOwnerId: 'owner',
      status,
      expiresOn: undefined,
    });
    this.pending = {
      none: undefined,
      sameInitiated: change(DEST, DIRECTORY_CHANGE_STATUS.initiated),
      otherInitiated: change(OTHER, DIRECTORY_CHANGE_STATUS.initiated),
      sameCompleted: change(DEST, DIRECTORY_CHANGE_STATUS.completed),
    }[c.pending];
  }

  private answer(how: Answer): void {
    if (how === 'refused')
      throw new TenantlinkError('cloudForbidden', { serviceCode: 'RequestDisallowedByPolicy' });
    if (how === 'fails') throw new TenantlinkError('cloudUnavailable', { detail: '503' });
  }

  private subscription() {
    return {
      subscriptionId: SUB,
      displayName: 'Pay-As-You-Go',
      tenantId: this.tenantId,
      state: 'Enabled',
    };
  }

  /** ARM as the subscription's Owner today (the Azure sign-in). */
  readonly source = {
    getSubscription: async () => this.subscription(),
    getDirectoryChange: async () => this.pending,
    requestDirectoryChange: async (_id: string, to: string, owner: string) => {
      this.calls.request++;
      this.answer(this.c.request);
      this.pending = {
        subscriptionId: SUB,
        destinationTenantId: to,
        destinationOwnerId: owner,
        status: DIRECTORY_CHANGE_STATUS.initiated,
        expiresOn: undefined,
        correlationId: 'corr-request',
      };
      return this.pending;
    },
    cancelDirectoryChange: async () => {
      this.calls.withdraw++;
      const withdrawn = this.pending !== undefined;
      this.pending = undefined;
      return { withdrawn, correlationId: 'corr-withdraw' };
    },
  };

  /** ARM as the Office 365 admin (the destination owner). */
  readonly target = {
    getSubscription: async () => {
      this.looks++;
      if (this.tenantId !== DEST) throw new TenantlinkError('cloudNotFound', { detail: SUB });
      return this.subscription();
    },
    directoryChangeStatus: async () => this.pending?.status,
    acceptDirectoryChange: async () => {
      this.calls.accept++;
      this.answer(this.c.accept);
      this.tenantId = DEST;
      this.pending = { ...this.pending!, status: DIRECTORY_CHANGE_STATUS.completed };
      return { correlationId: 'corr-accept' };
    },
  };
}

/** Every combination (2 × 4 × 4 × 3 × 3). */
const CASES: Case[] = (['source', 'destination'] as const).flatMap((where) =>
  (['none', 'confirmed', 'moveRequested', 'moveAccepted'] as const).flatMap((before) =>
    (['none', 'sameInitiated', 'otherInitiated', 'sameCompleted'] as const).flatMap((pending) =>
      (['ok', 'refused', 'fails'] as const).flatMap((request) =>
        (['ok', 'refused', 'fails'] as const).map((accept) => ({
          where,
          before,
          pending,
          request,
          accept,
        })),
      ),
    ),
  ),
);

/** What the rules say the job does in a case. */
function expected(c: Case): {
  outcome: 'moved' | 'refusedAtRequest' | 'refusedAtAccept' | 'throws';
  requests: number;
  accepts: number;
  withdraws: number;
  status: ChangeStatus;
} {
  const before: ChangeStatus = c.before === 'none' ? 'impactReviewed' : c.before;
  const moved = (requests: number, accepts: number) => ({
    outcome: 'moved' as const,
    requests,
    accepts,
    withdraws: 0,
    status: 'moveAccepted' as const,
  });
  if (c.where === 'destination') return moved(0, 0);
  const requestMade = c.before === 'moveRequested' || c.before === 'moveAccepted';
  if (requestMade && c.pending === 'sameCompleted') return moved(0, 0);
  const requests = c.pending === 'sameInitiated' ? 0 : 1;
  if (requests === 1 && c.request !== 'ok')
    return c.request === 'refused'
      ? { outcome: 'refusedAtRequest', requests, accepts: 0, withdraws: 0, status: 'guided' }
      : { outcome: 'throws', requests, accepts: 0, withdraws: 0, status: before };
  const afterRequest: ChangeStatus = requests === 1 ? 'moveRequested' : before;
  if (c.accept === 'refused')
    return { outcome: 'refusedAtAccept', requests, accepts: 1, withdraws: 1, status: 'guided' };
  if (c.accept === 'fails')
    return { outcome: 'throws', requests, accepts: 1, withdraws: 0, status: afterRequest };
  return moved(requests, 1);
}

it.each(CASES.map((c) => [Object.values(c).join(' / '), c] as const))(
  'directory change: %s',
  async (_name, c) => {
    const azure = new FakeAzure(c);
    // The procedure's clouds are the fake's two accounts: no tokens, no clients.
    const { procedure, changes } = testProcedure();
    // ARM as the Azure sign-in is the source, as the Office 365 sign-in the target.
    procedure.azure = (_user, kind) => {
      if (kind === 'azure') return azure.source as unknown as AzureManagementPort;
      if (kind === 'office365') return azure.target as unknown as AzureManagementPort;
      throw new Error(`no sign-in ${kind}`);
    };
    const flowId = 'flow-1';
    await createRecord(changes, flowId, c.before === 'none' ? 'impactReviewed' : c.before, {
      subscriptionId: SUB,
      sourceTenantId: SOURCE,
      destinationTenantId: DEST,
    });
    const stage: MoveStage = {
      flowId,
      initiatorId: 'kelley',
      subscriptionId: SUB,
      destinationTenantId: DEST,
      destinationOwnerId: 'owner',
    };
    const want = expected(c);

    const result = await changeDirectoryJob(procedure, 'user', stage).catch(() => undefined);
    const outcome =
      result === undefined
        ? 'throws'
        : result.kind === 'moved'
          ? 'moved'
          : result.kind === 'refused' && result.stage === 'request'
            ? 'refusedAtRequest'
            : result.kind === 'refused' && result.stage === 'accept'
              ? 'refusedAtAccept'
              : 'unknown';

    expect(outcome).toBe(want.outcome);
    expect(azure.calls).toEqual({
      request: want.requests,
      accept: want.accepts,
      withdraw: want.withdraws,
    });
    const record = await changes.get(flowId);
    expect(record?.status).toBe(want.status);
    // Every write Azure took is in the audit trail, with its correlation id.
    const actions = record?.audit.map((a) => `${a.action}:${a.outcome}`) ?? [];
    if (want.requests === 1 && c.request === 'ok')
      expect(actions).toContain('changeTenantRequest:ok');
    // The acceptance (or the check that it is done) is recorded once: not again when the record
    // already says accepted and this run accepted nothing.
    const accepted = actions.filter((a) => /^(acceptChangeTenant|verifyDirectory):ok$/.test(a));
    if (want.outcome === 'moved')
      expect(accepted).toHaveLength(c.before !== 'moveAccepted' || want.accepts === 1 ? 1 : 0);
    // Moved: visible when the new directory shows the subscription (the fake's acceptance is
    // immediate; the wait has no time to wait); one already there is read once, not waited for.
    if (result?.kind === 'moved') {
      expect(result).toEqual({
        kind: 'moved',
        alreadyThere: c.where === 'destination',
        visible: azure.tenantId === DEST,
      });
      if (c.where === 'destination') expect(azure.looks).toBe(1);
    }
    if (want.outcome === 'refusedAtAccept') {
      expect(actions).toContain('acceptChangeTenant:refused');
      expect(azure.pending).toBeUndefined();
    }
    if (want.outcome === 'refusedAtRequest')
      expect(actions).toContain('changeTenantRequest:refused');
  },
);

it('refuses a flow without a change record before any call to Azure (no backup, no audit)', async () => {
  const azure = new FakeAzure({
    where: 'source',
    before: 'none',
    pending: 'none',
    request: 'ok',
    accept: 'ok',
  });
  const { procedure, changes } = testProcedure();
  procedure.azure = (_user, kind) =>
    (kind === 'azure' ? azure.source : azure.target) as unknown as AzureManagementPort;
  await expect(
    changeDirectoryJob(procedure, 'user', {
      flowId: 'flow-none',
      initiatorId: 'kelley',
      subscriptionId: SUB,
      destinationTenantId: DEST,
      destinationOwnerId: 'owner',
    }),
  ).rejects.toThrow('no change record flow-none');
  expect(azure.calls).toEqual({ request: 0, accept: 0, withdraw: 0 });
  expect(azure.looks).toBe(0);
  expect(await changes.get('flow-none')).toBeUndefined();
});
