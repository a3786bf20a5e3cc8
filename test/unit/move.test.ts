import type { AzureSubscription } from '../../src/domain/model';
import type { AzureManagementPort } from '../../src/domain/ports';
import { TenantlinkError } from '../../src/errors';
import {
  DEFAULT_PROPAGATION_WAIT,
  changeDirectoryByApi,
  isInDirectory,
  waitForDirectory,
} from '../../src/link/move';

/**
 * Where the subscription answers after the move, on a fake ARM (the fast layer of the dialogs'
 * propagation tests): ARM's "not there yet" answers (403, 404, 401 InvalidAuthenticationTokenTenant)
 * mean false, other failures are thrown; the wait looks again after a transient failure, doubling
 * its pause up to the maximum, and gives up at its deadline without a pause past it.
 */

const SUB = '5a4c0e3e-0000-4000-8000-00000000000a';
const DEST = 'DD000000-0000-4000-8000-000000000001';

/** ARM whose getSubscription answers each call with the next of `answers` (the last repeats). */
function arm(answers: (string | Error)[]): AzureManagementPort & { calls: number } {
  const port = {
    calls: 0,
    getSubscription: async (id: string): Promise<AzureSubscription> => {
      const answer = answers[Math.min(port.calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return {
        subscriptionId: id,
        displayName: 'Pay-As-You-Go',
        tenantId: answer!,
        state: 'Enabled',
      };
    },
  };
  return port as unknown as AzureManagementPort & { calls: number };
}

describe('isInDirectory', () => {
  it('compares the tenant without regard to case', async () => {
    expect(await isInDirectory(arm([DEST.toLowerCase()]), SUB, DEST)).toBe(true);
    expect(await isInDirectory(arm(['source']), SUB, DEST)).toBe(false);
  });

  it.each([
    ['404', new TenantlinkError('cloudNotFound')],
    ['403', new TenantlinkError('cloudForbidden')],
    [
      '401 InvalidAuthenticationTokenTenant',
      new TenantlinkError('cloudUnauthorized', { serviceCode: 'InvalidAuthenticationTokenTenant' }),
    ],
  ])('takes %s as "not there yet"', async (_what, error) => {
    expect(await isInDirectory(arm([error]), SUB, DEST)).toBe(false);
  });

  it.each([
    ['another 401', new TenantlinkError('cloudUnauthorized', { serviceCode: 'ExpiredToken' })],
    ['a 503', new TenantlinkError('cloudUnavailable')],
    ['a plain error', new Error('socket hang up')],
  ])('throws %s', async (_what, error) => {
    await expect(isInDirectory(arm([error]), SUB, DEST)).rejects.toBe(error);
  });
});

describe('waitForDirectory', () => {
  it('looks again after "not there" and transient failures, doubling the pause up to its maximum', async () => {
    const pauses: number[] = [];
    const port = arm([
      'source',
      new TenantlinkError('cloudUnavailable'),
      new TenantlinkError('cloudNotFound'),
      'source',
      DEST,
    ]);
    const seen = await waitForDirectory(
      port,
      SUB,
      DEST,
      { timeoutMs: 3_600_000, firstPollMs: 100, maxPollMs: 350 },
      async (ms) => {
        pauses.push(ms);
        if (pauses.length > 10) throw new Error('still waiting after the directory showed it');
      },
    );
    expect(seen).toBe(true);
    expect(port.calls).toBe(5);
    expect(pauses).toEqual([100, 200, 350, 350]);
  });

  it('returns true at once when the subscription is there', async () => {
    const pauses: number[] = [];
    expect(
      await waitForDirectory(arm([DEST]), SUB, DEST, undefined, async (ms) => void pauses.push(ms)),
    ).toBe(true);
    expect(pauses).toEqual([]);
  });

  it('gives up rather than pause past its deadline', async () => {
    const pauses: number[] = [];
    const port = arm(['source']);
    // The clock moves only by the pauses the wait asks for.
    let clock = 1_000_000;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => clock);
    const seen = await waitForDirectory(
      port,
      SUB,
      DEST,
      { timeoutMs: 60_000, firstPollMs: 20_000, maxPollMs: 60_000 },
      async (ms) => {
        pauses.push(ms);
        clock += ms;
        if (pauses.length > 10) throw new Error('still waiting past the deadline');
      },
    );
    now.mockRestore();
    expect(seen).toBe(false);
    // Looks at 0 s, 20 s (after 20 s) and 60 s (after 40 s); 80 s more would end past the deadline.
    expect(pauses).toEqual([20_000, 40_000]);
    expect(port.calls).toBe(3);
  });

  it('throws a failure that is not transient', async () => {
    const error = new TenantlinkError('cloudUnauthorized', { serviceCode: 'ExpiredToken' });
    await expect(
      waitForDirectory(arm([error]), SUB, DEST, DEFAULT_PROPAGATION_WAIT, async () => undefined),
    ).rejects.toBe(error);
  });

  it('waits two hours by default, looking after 2 s and then at most every minute', () => {
    expect(DEFAULT_PROPAGATION_WAIT).toEqual({
      timeoutMs: 2 * 60 * 60 * 1000,
      firstPollMs: 2000,
      maxPollMs: 60_000,
    });
  });
});

describe('changeDirectoryByApi', () => {
  const subscription = (quotaId?: string, state = 'Enabled'): AzureSubscription => ({
    subscriptionId: SUB,
    displayName: 'Pay-As-You-Go',
    tenantId: 'source',
    state,
    ...(quotaId ? { quotaId } : {}),
  });

  it('requests nothing when the subscription, read again, can no longer change directory', async () => {
    const requested = jest.fn();
    const source = {
      getDirectoryChange: async () => undefined,
      getSubscription: async () => subscription('CSP_2015-05-01'),
      requestDirectoryChange: requested,
    } as unknown as AzureManagementPort;
    const target = arm(['source']);
    let thrown: unknown;
    try {
      await changeDirectoryByApi(source, target, SUB, DEST, 'owner');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TenantlinkError);
    expect((thrown as TenantlinkError).code).toBe(new TenantlinkError('cannotMove').code);
    expect((thrown as TenantlinkError).message).toContain(`subscription ${SUB}: partner`);
    expect(requested).not.toHaveBeenCalled();
  });

  it('reuses a pending request to the same directory whatever the case of its tenant id', async () => {
    const requested = jest.fn();
    const accepted = jest.fn(async () => ({ correlationId: 'corr-accept' }));
    const source = {
      getDirectoryChange: async () => ({
        subscriptionId: SUB,
        destinationTenantId: DEST.toLowerCase(),
        destinationOwnerId: 'owner',
        status: 'Initiated',
        expiresOn: undefined,
      }),
      requestDirectoryChange: requested,
    } as unknown as AzureManagementPort;
    const target = Object.assign(arm(['source']), { acceptDirectoryChange: accepted });
    const outcome = await changeDirectoryByApi(source, target, SUB, DEST, 'owner');
    expect(outcome).toEqual({
      kind: 'moved',
      requested: undefined,
      change: { correlationId: 'corr-accept' },
      alreadyThere: false,
    });
    expect(requested).not.toHaveBeenCalled();
  });

  it.each([
    ['a 401', new TenantlinkError('cloudUnauthorized')],
    ['a throttling error', new TenantlinkError('cloudThrottled')],
    ['a 5xx', new TenantlinkError('cloudUnavailable')],
    ['a 500 that is not transient', new TenantlinkError('internal')],
    ['a 502 that is not transient', new TenantlinkError('exportUpload')],
    ['an error of no HTTP status', new TenantlinkError('moveRefused')],
    ['an error that is not a TenantlinkError', new Error('socket hang up')],
  ])('fails on %s at the request rather than go the guided way', async (_what, error) => {
    const source = {
      getDirectoryChange: async () => {
        throw error;
      },
    } as unknown as AzureManagementPort;
    await expect(changeDirectoryByApi(source, arm(['source']), SUB, DEST, 'o')).rejects.toBe(error);
  });

  it('goes the guided way on a 403 at the request', async () => {
    const error = new TenantlinkError('cloudForbidden', { serviceCode: 'AuthorizationFailed' });
    const source = {
      getDirectoryChange: async () => {
        throw error;
      },
    } as unknown as AzureManagementPort;
    expect(await changeDirectoryByApi(source, arm(['source']), SUB, DEST, 'o')).toEqual({
      kind: 'refused',
      requested: undefined,
      error,
      stage: 'request',
    });
  });

  it('says the subscription was already there when the new directory shows it first', async () => {
    expect(
      await changeDirectoryByApi({} as AzureManagementPort, arm([DEST]), SUB, DEST, 'o'),
    ).toEqual({ kind: 'moved', requested: undefined, change: undefined, alreadyThere: true });
  });

  it('after a restart, takes a request the acceptor sees completed as moved, without asking again', async () => {
    const target = Object.assign(arm(['source']), {
      directoryChangeStatus: async () => 'Completed',
    });
    expect(
      await changeDirectoryByApi(
        {} as AzureManagementPort,
        target,
        SUB,
        DEST,
        'o',
        undefined,
        true,
      ),
    ).toEqual({ kind: 'moved', requested: undefined, change: undefined, alreadyThere: false });
  });

  it('goes the guided way on a 400 at the acceptance', async () => {
    const error = new TenantlinkError('cloudBadRequest', { serviceCode: 'NotSupported' });
    const change = {
      subscriptionId: SUB,
      destinationTenantId: DEST,
      destinationOwnerId: 'o',
      status: 'Initiated',
      expiresOn: undefined,
    };
    const source = {
      getDirectoryChange: async () => undefined,
      getSubscription: async () => subscription(undefined, 'Warned'),
      requestDirectoryChange: async () => change,
    } as unknown as AzureManagementPort;
    const target = Object.assign(arm(['source']), {
      acceptDirectoryChange: async () => {
        throw error;
      },
    });
    const recorded: unknown[] = [];
    const outcome = await changeDirectoryByApi(
      source,
      target,
      SUB,
      DEST,
      'o',
      async (r) => void recorded.push(r),
    );
    expect(outcome).toEqual({ kind: 'refused', requested: change, error, stage: 'accept' });
    expect(recorded).toEqual([change]);
  });
});
