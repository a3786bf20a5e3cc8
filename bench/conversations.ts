import { performance } from 'node:perf_hooks';
import { IDS } from '../src/sandbox';
import { personalChat, type TeamsUser } from '../test/helpers/teamsChannel';
import { click } from '../test/helpers/testApp';
import { percentile, startRemoteRig, startSinkConnector, type BenchRow } from './common';
import { pairRatios, round2, spreadNote, summarize } from './stats';
import { activity, startEchoBot } from './turnOverhead';

/**
 * One burst of `count` simultaneous turns against the bare echo bot: the floor that botbuilder,
 * restify and this machine set for that many turns at once.
 * @returns turn latencies in ms
 */
async function echoBurst(echoUrl: string, sinkUrl: string, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const started = performance.now();
      const res = await fetch(echoUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: activity(sinkUrl, 'status', `a:echo-${i}`),
      });
      await res.arrayBuffer();
      return performance.now() - started;
    }),
  );
}

/**
 * Benchmark 5: 200 conversations, each signed in to Azure, send `status` at the same time (the
 * sandbox cloud runs in its own process), in `pairs` pairs of bursts alternating with the same
 * burst against the bare echo bot (A/B/A/B…): the p95 ratio is the median of the per-pair ratios,
 * with its spread (targets: p95 turn ≤ 150 ms, 0 errors); memory per conversation is reported.
 * @param count simultaneous conversations in one burst
 * @param pairs echo/tenantlink burst pairs (at least 10)
 */
export async function conversations(count = 200, pairs = 10): Promise<BenchRow[]> {
  const rig = await startRemoteRig();
  const h = { ...rig, sandbox: undefined as never, stop: async () => undefined };
  const echo = await startEchoBot();
  const sink = await startSinkConnector();
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
    await echoBurst(echo.url, sink.url, count); // warm-up of the echo bot
    const echoP95: number[] = [];
    const echoP50: number[] = [];
    const tlP95: number[] = [];
    const tlP50: number[] = [];
    let errors = 0;
    for (let pair = 0; pair < pairs; pair++) {
      const e = await echoBurst(echo.url, sink.url, count);
      echoP95.push(percentile(e, 95));
      echoP50.push(percentile(e, 50));
      const sentBefore = rig.channel.sent.length;
      const latencies = await Promise.all(
        users.map(async (user) => {
          const started = performance.now();
          const status = await rig.channel.say(user, 'status');
          return { ms: performance.now() - started, ok: status === 200 };
        }),
      );
      const cards = rig.channel.sent
        .slice(sentBefore)
        .filter((a) => a.activity.attachments?.length);
      errors += latencies.filter((l) => !l.ok).length + (count - cards.length);
      tlP95.push(
        percentile(
          latencies.map((l) => l.ms),
          95,
        ),
      );
      tlP50.push(
        percentile(
          latencies.map((l) => l.ms),
          50,
        ),
      );
    }
    const ratio = summarize(pairRatios(echoP95, tlP95, 1));
    const median = (values: number[]): number => Math.round(summarize(values).median);
    return [
      {
        name: `5. ${count} concurrent status turns p95 (median of ${pairs} bursts)`,
        value: median(tlP95),
        unit: 'ms',
        target: 150,
        note: `p50 ${median(tlP50)} ms`,
      },
      {
        name: `5. echo bot, same ${count}-turn burst p95 (median)`,
        value: median(echoP95),
        unit: 'ms',
        note: `p50 ${median(echoP50)} ms: the floor on this machine`,
      },
      {
        name: '5. p95 ratio tenantlink/echo (median of pairs)',
        value: round2(ratio.median),
        unit: '×',
        note: `${spreadNote(ratio)}; status = 2 ARM calls + a card, echo = one reply`,
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
    await echo.close();
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
    await rig.stop();
  }
}
