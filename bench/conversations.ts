import { performance } from 'node:perf_hooks';
import { IDS } from '../src/sandbox';
import { personalChat, type TeamsUser } from '../test/helpers/teamsChannel';
import { click } from '../test/helpers/testApp';
import { percentile, startRemoteRig, startSinkConnector, type BenchRow } from './common';
import { activity, startEchoBot } from './turnOverhead';

/**
 * The same burst against the bare echo bot, in the same run: the floor that botbuilder, restify
 * and this machine set for 200 simultaneous turns.
 * @returns turn latencies in ms
 */
async function echoBurst(count: number): Promise<number[]> {
  const echo = await startEchoBot();
  const sink = await startSinkConnector();
  try {
    return await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const started = performance.now();
        const res = await fetch(echo.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: activity(sink.url, 'status', `a:echo-${i}`),
        });
        await res.arrayBuffer();
        return performance.now() - started;
      }),
    );
  } finally {
    await echo.close();
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  }
}

/**
 * Benchmark 5: 200 conversations, each signed in to Azure, send `status` at the same time (the
 * sandbox cloud runs in its own process)
 * (targets: p95 turn ≤ 150 ms, 0 errors); memory per conversation is reported.
 */
export async function conversations(count = 200): Promise<BenchRow[]> {
  const rig = await startRemoteRig();
  const h = { ...rig, sandbox: undefined as never, stop: async () => undefined };
  try {
    const users: TeamsUser[] = Array.from({ length: count }, (_, i) => ({
      id: `user-bench-${i}`,
      name: `Bench ${i}`,
      aadObjectId: IDS.users.kelleyMsaInDefault,
    }));
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const user of users) {
      await rig.channel.say(user, 'status');
      await click(h, user, personalChat(user), 'signin.select', {
        choice: `kelley-msa|${IDS.tenants.defaultDirectory}`,
      });
    }
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const sentBefore = rig.channel.sent.length;
    const latencies = await Promise.all(
      users.map(async (user) => {
        const started = performance.now();
        const status = await rig.channel.say(user, 'status');
        return { ms: performance.now() - started, ok: status === 200 };
      }),
    );
    const echo = await echoBurst(count);
    const cards = rig.channel.sent.slice(sentBefore).filter((a) => a.activity.attachments?.length);
    const errors = latencies.filter((l) => !l.ok).length + (count - cards.length);
    return [
      {
        name: `5. ${count} concurrent status turns p95`,
        value: Math.round(
          percentile(
            latencies.map((l) => l.ms),
            95,
          ),
        ),
        unit: 'ms',
        target: 150,
        note: `p50 ${Math.round(
          percentile(
            latencies.map((l) => l.ms),
            50,
          ),
        )} ms`,
      },
      {
        name: `5. echo bot, same ${count}-turn burst p95`,
        value: Math.round(percentile(echo, 95)),
        unit: 'ms',
        note: `p50 ${Math.round(percentile(echo, 50))} ms: the floor on this machine`,
      },
      {
        name: '5. p95 ratio tenantlink/echo',
        value:
          Math.round(
            (percentile(
              latencies.map((l) => l.ms),
              95,
            ) /
              percentile(echo, 95)) *
              100,
          ) / 100,
        unit: '×',
        note: 'status = 2 ARM calls + a card; echo = one reply',
      },
      { name: '5. errors', value: errors, unit: 'count', target: 0 },
      {
        name: '5. heap per conversation',
        value: Math.round((heapAfter - heapBefore) / count / 1024),
        unit: 'KiB',
        note: global.gc ? 'after gc' : 'no --expose-gc',
      },
    ];
  } finally {
    await rig.stop();
  }
}
