import { performance } from 'node:perf_hooks';
import { IDS } from '../src/sandbox';
import { personalChat } from '../test/helpers/teamsChannel';
import { startRig, type BenchRow } from './common';
import { linkSteps } from './fullLink';
import { scaledSeed } from './seeds';

/**
 * Benchmark 3: a sandbox with 10,000 Office 365 users and 5,000 role assignments on the
 * subscription: preflight + impact review time and calls, peak RSS, and the impact card's size
 * (targets: ≤ 3 s, ≤ 250 MB, ≤ 28 KB).
 */
export async function scale(users = 10_000, assignments = 5_000): Promise<BenchRow[]> {
  const rig = await startRig(scaledSeed({ contosoUsers: users, assignments }));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  try {
    const steps = linkSteps(rig);
    for (const [, step] of steps.slice(0, 3)) await step();
    rig.sandbox.resetCallCounts();
    const started = performance.now();
    await steps[3]![1](); // sign in to Azure + preflight
    await steps[4]![1](); // choose + impact review
    const ms = performance.now() - started;
    const calls = rig.sandbox.callCounts();
    const chat = personalChat({
      id: 'user-id-0',
      name: 'Kelley Wall',
      aadObjectId: IDS.users.kelleyContoso,
    });
    const impactBytes = Buffer.byteLength(JSON.stringify(rig.channel.lastCard(chat).card));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return [
      {
        name: `3. preflight + impact (${users} users, ${assignments} assignments)`,
        value: Math.round(ms),
        unit: 'ms',
        target: 3000,
      },
      {
        name: '3. Graph+ARM calls',
        value: calls.graph + calls.arm,
        unit: 'calls',
        note: `graph ${calls.graph} (batched), arm ${calls.arm} (pages of 1,000)`,
      },
      { name: '3. peak RSS', value: Math.round(peakRss / 1024 / 1024), unit: 'MB', target: 250 },
      {
        name: '3. impact card size',
        value: Math.round(impactBytes / 1024),
        unit: 'KB',
        target: 28,
      },
    ];
  } finally {
    clearInterval(sampler);
    await rig.stop();
  }
}
