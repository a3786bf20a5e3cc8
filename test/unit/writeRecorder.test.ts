import type { AzureManagementPort, Office365DirectoryPort } from '../../src/domain/ports';
import pino from 'pino';
import type { SignInKind } from '../../src/auth/signIn';
import type { ChangeRecord } from '../../src/state/changeRecords';
import {
  WriteRecorder,
  lockFreeProcedure,
  recordAccessJob,
  recordMoveJob,
} from '../../src/link/dryRun';
import { LinkProcedure, type LinkProcedureDeps } from '../../src/link/procedure';
import { changeDirectoryByApi } from '../../src/link/move';
import { grantAccess } from '../../src/link/access';

/**
 * The dry run's recording ports (src/link/dryRun.ts): reads reach the cloud, writes are listed
 * and never made, and the procedure's own code decides which writes (unit, fake ports).
 */

const SUB = 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa';
const DEST = '22222222-2222-2222-2222-222222222222';

/** An ARM port that counts what reaches it; any write reaching it fails the test. */
class CountingAzure {
  reads = 0;
  pendingTo: string | undefined;
  private readonly base = `/subscriptions/${SUB}/providers/Microsoft.Subscription/changeTenantRequest/default`;

  constructor(pendingTo?: string) {
    this.pendingTo = pendingTo;
  }
  async getSubscription() {
    this.reads++;
    return {
      subscriptionId: SUB,
      displayName: 'Pay-As-You-Go',
      tenantId: 'source',
      state: 'Enabled',
    };
  }
  async getDirectoryChange() {
    this.reads++;
    return this.pendingTo
      ? {
          subscriptionId: SUB,
          destinationTenantId: this.pendingTo,
          destinationOwnerId: 'o',
          status: 'Initiated',
          expiresOn: undefined,
        }
      : undefined;
  }
  planDirectoryChange() {
    return [
      { method: 'PUT' as const, path: this.base, summary: 'request' },
      {
        method: 'POST' as const,
        path: `/providers/Microsoft.Subscription/subscriptions/${SUB}/acceptChangeTenant`,
        summary: 'accept',
      },
    ];
  }
  planGrant(grant: { principalId: string }) {
    return {
      method: 'PUT' as const,
      path: `/subscriptions/${SUB}/roleAssignments/${grant.principalId}`,
      summary: 'grant',
    };
  }
  requestDirectoryChange(): never {
    throw new Error('a write reached Azure');
  }
  acceptDirectoryChange(): never {
    throw new Error('a write reached Azure');
  }
  grantRole(): never {
    throw new Error('a write reached Azure');
  }
}

const port = (fake: CountingAzure) => fake as unknown as AzureManagementPort;

it('lists the request and the acceptance, in order, and makes neither', async () => {
  const [source, target] = [new CountingAzure(), new CountingAzure()];
  const recorder = new WriteRecorder();
  const outcome = await changeDirectoryByApi(
    recorder.azure(port(source)),
    recorder.azure(port(target)),
    SUB,
    DEST,
    'owner',
  );
  expect(outcome.kind).toBe('moved');
  expect(recorder.writes.map((w) => w.method)).toEqual(['PUT', 'POST']);
  // The decisions were taken on real reads.
  expect(source.reads).toBeGreaterThan(0);
  expect(target.reads).toBeGreaterThan(0);
});

it('lists only the acceptance when a request to the same directory is pending', async () => {
  const [source, target] = [new CountingAzure(DEST), new CountingAzure()];
  const recorder = new WriteRecorder();
  await changeDirectoryByApi(
    recorder.azure(port(source)),
    recorder.azure(port(target)),
    SUB,
    DEST,
    'owner',
  );
  expect(recorder.writes.map((w) => w.method)).toEqual(['POST']);
});

it('lists one grant per user, answers them as created, and passes reads through bound to the port', async () => {
  const fake = new CountingAzure();
  const recorder = new WriteRecorder();
  const users = ['u1', 'u2', 'u3'].map((id) => ({
    id,
    displayName: id,
    userPrincipalName: id,
    mail: null,
    otherMails: [],
  }));
  const results = await grantAccess(recorder.azure(port(fake)), SUB, users, 'Reader');
  expect(results.map((r) => r.outcome)).toEqual(['granted', 'granted', 'granted']);
  expect(recorder.writes.map((w) => w.path.split('/').at(-1))).toEqual(['u1', 'u2', 'u3']);
  // A method the recorder does not replace reaches the port itself (its `this` intact).
  await recorder.azure(port(fake)).getSubscription(SUB);
  expect(fake.reads).toBe(1);
});

it('answers an invitation with a stand-in guest and lists it', async () => {
  const recorder = new WriteRecorder();
  const directory = {
    planInvite: (email: string) => ({
      method: 'POST' as const,
      path: '/invitations',
      summary: email,
    }),
    inviteGuest: () => {
      throw new Error('a write reached Graph');
    },
  } as unknown as Office365DirectoryPort;
  const guest = await recorder
    .directory(directory)
    .inviteGuest('jane@fabrikam.com', 'https://portal');
  expect(guest.id).toBe('(guest jane@fabrikam.com)');
  expect(recorder.writes).toEqual([
    { method: 'POST', path: '/invitations', summary: 'jane@fabrikam.com' },
  ]);
});

describe('the jobs and the procedure of a link on recording ports', () => {
  const user = (id: string) => ({
    id,
    displayName: id,
    userPrincipalName: id,
    mail: null,
    otherMails: [],
  });

  it('records the move: the request and the acceptance, in order, as the move job would make them', async () => {
    const [source, target] = [new CountingAzure(), new CountingAzure()];
    const procedure = {
      azure: (_u: string, kind: string) => port(kind === 'azure' ? source : target),
    };
    const result = await recordMoveJob(procedure, 'user', {
      flowId: 'f',
      initiatorId: 'user',
      subscriptionId: SUB,
      destinationTenantId: DEST,
      destinationOwnerId: 'owner',
    });
    expect(result.kind).toBe('recorded');
    expect(result.writes.map((w) => w.method)).toEqual(['PUT', 'POST']);
    expect(source.reads + target.reads).toBeGreaterThan(0);
  });

  it('records the grants of the users the directory has, and counts those it has not', async () => {
    const azure = new CountingAzure();
    const directory = {
      usersById: async (ids: string[]) => ids.filter((id) => id !== 'ghost').map(user),
    } as unknown as Office365DirectoryPort;
    const procedure = {
      azure: () => port(azure),
      directory: () => directory,
      changeRecord: async () => undefined,
    };
    const result = await recordAccessJob(procedure, 'user', {
      flowId: 'f',
      initiatorId: 'user',
      subscriptionId: SUB,
      role: 'Reader',
      principalIds: ['u1', 'ghost', 'u2'],
      restore: false,
      redirectUrl: 'https://portal',
    });
    expect(result).toMatchObject({ kind: 'recorded', missing: 1 });
    expect(result.writes.map((w) => w.path.split('/').at(-1))).toEqual(['u1', 'u2']);
    expect(result.grants.map((g) => g.user.id)).toEqual(['u1', 'u2']);
  });

  it("records the restore of the flow's plan, as the Office 365 admin, and reads the record of the flow", async () => {
    const azure = new CountingAzure();
    const signIns: string[] = [];
    const read: string[] = [];
    const scope = `/subscriptions/${SUB}`;
    const backedUp = {
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/a1`,
      name: 'a1',
      scope,
      principalId: 'old-sam',
      principalType: 'User',
      roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/r`,
      roleName: 'Reader',
      principalName: 'sam@old.example',
    };
    const procedure = {
      azure: (_u: string, kind: SignInKind) => {
        signIns.push(`arm:${kind}`);
        return port(azure);
      },
      directory: (_u: string, kind: SignInKind) => {
        signIns.push(`graph:${kind}`);
        return { usersById: async () => [user('u1')] } as unknown as Office365DirectoryPort;
      },
      changeRecord: async (flowId: string) => {
        read.push(flowId);
        return {
          backup: [backedUp],
          restorePlan: [
            {
              assignmentId: backedUp.id,
              action: { kind: 'restore' as const, principalId: 'new-sam', principalName: 'sam' },
            },
          ],
          customRoles: [],
        } as unknown as ChangeRecord;
      },
    };
    const result = await recordAccessJob(procedure, 'user', {
      flowId: 'flow-7',
      initiatorId: 'user',
      subscriptionId: SUB,
      role: 'Reader',
      principalIds: ['u1'],
      restore: true,
      redirectUrl: 'https://portal',
    });
    expect(read).toEqual(['flow-7']);
    expect(result.writes.map((w) => w.path.split('/').at(-1))).toEqual(['u1', 'new-sam']);
    expect(new Set(signIns)).toEqual(new Set(['arm:office365', 'graph:office365']));
  });

  it('passes methods through bound to the procedure, also when taken off it', async () => {
    const locks = {
      acquire: async () => ({ acquired: false, holder: { flowId: 'other' } }),
      release: async () => undefined,
    };
    const inner = new LinkProcedure(
      { locks } as unknown as LinkProcedureDeps,
      pino({ level: 'silent' }),
    );
    const { lock, unlock } = lockFreeProcedure(inner);
    const flow = { flowId: 'f', initiatorId: 'u', initiatorName: 'U', subscriptionId: SUB };
    expect(await lock(flow)).toEqual({ acquired: true });
    await expect(unlock(flow)).resolves.toBeUndefined();
  });

  it('takes a lock that never blocks anyone, and leaves the rest to the procedure', async () => {
    const released: string[] = [];
    const locks = {
      acquire: async () => ({ acquired: false, holder: { flowId: 'other' } }),
      release: async (subscriptionId: string) => void released.push(subscriptionId),
    };
    const inner = new LinkProcedure(
      { locks } as unknown as LinkProcedureDeps,
      pino({ level: 'silent' }),
    );
    const flow = { flowId: 'f', initiatorId: 'u', initiatorName: 'U', subscriptionId: SUB };
    expect((await inner.lock(flow)).acquired).toBe(false);
    expect(await lockFreeProcedure(inner).lock(flow)).toEqual({ acquired: true });
    await lockFreeProcedure(inner).unlock(flow);
    expect(released).toEqual([SUB]);
  });
});
