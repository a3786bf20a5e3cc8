import { createRecord, testProcedure } from '../helpers/procedure';

/**
 * The link's notice to the team channels is sent once per flow, whichever run of the access job
 * (a restart, another instance) gets there (src/link/procedure.ts `notifyOnce`).
 */

const FLOW = 'flow-1';

async function setUp(pause?: (ms: number) => Promise<unknown>) {
  const sent: string[] = [];
  const { procedure, changes } = testProcedure(
    {
      notify: async (tenantId) => {
        sent.push(tenantId);
        return 2;
      },
    },
    pause,
  );
  await createRecord(changes, FLOW, 'accessGranted', {
    subscriptionId: 's',
    sourceTenantId: 'source',
    destinationTenantId: 'contoso',
  });
  return { changes, sent, procedure };
}

it('sends the notice and records it; a second run reports the recorded count without sending', async () => {
  const { changes, sent, procedure } = await setUp();
  expect(await procedure.notifyOnce(FLOW, 'contoso', { type: 'AdaptiveCard' })).toBe(2);
  expect(await procedure.notifyOnce(FLOW, 'contoso', { type: 'AdaptiveCard' })).toBe(2);
  expect(sent).toEqual(['contoso']);
  const record = await changes.get(FLOW);
  expect(record?.status).toBe('notified');
  expect(record?.notifiedChannels).toBe(2);
});

it('waits for the run that holds the claim and reports what it recorded, sending nothing', async () => {
  const { changes, sent, procedure } = await setUp();
  // Another run claimed the notice and is sending it.
  expect((await changes.claimNotification(FLOW, 'other-run')).kind).toBe('claimed');
  const waiting = procedure.notifyOnce(FLOW, 'contoso', { type: 'AdaptiveCard' });
  await changes.update(FLOW, (r) => {
    r.status = 'notified';
    r.notifiedChannels = 3;
  });
  expect(await waiting).toBe(3);
  expect(sent).toEqual([]);
});

it('sends nothing twice when two runs race for the claim', async () => {
  const { sent, procedure } = await setUp();
  const counts = await Promise.all([
    procedure.notifyOnce(FLOW, 'contoso', {}),
    procedure.notifyOnce(FLOW, 'contoso', {}),
  ]);
  expect(counts).toEqual([2, 2]);
  expect(sent).toHaveLength(1);
});

it('gives up after 10 s of looks, 200 ms apart, when the run holding the claim never records', async () => {
  const paused: number[] = [];
  const total = () => paused.reduce((a, b) => a + b, 0);
  const { sent, procedure, changes } = await setUp(async (ms) => {
    paused.push(ms);
    // A wait past its bound fails here rather than spinning until the test's timeout.
    if (total() > 60_000) throw new Error(`still waiting after ${total()} ms`);
  });
  expect((await changes.claimNotification(FLOW, 'other-run')).kind).toBe('claimed');
  expect(await procedure.notifyOnce(FLOW, 'contoso', {})).toBe(0);
  expect(new Set(paused)).toEqual(new Set([200]));
  expect(total()).toBe(10_000);
  expect(sent).toEqual([]);
});

it('reports the count the run holding the claim records while this one waits', async () => {
  let pauses = 0;
  const { sent, procedure, changes } = await setUp(async () => {
    // The other run records its notice during this run's second pause.
    if (++pauses === 2)
      await changes.update(FLOW, (r) => {
        r.status = 'notified';
        r.notifiedChannels = 4;
      });
  });
  expect((await changes.claimNotification(FLOW, 'other-run')).kind).toBe('claimed');
  expect(await procedure.notifyOnce(FLOW, 'contoso', {})).toBe(4);
  expect(pauses).toBe(2);
  expect(sent).toEqual([]);
});
