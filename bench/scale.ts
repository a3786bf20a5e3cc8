import { performance } from 'node:perf_hooks';
import { IDS } from '../src/sandbox';
import { personalChat, type TeamsUser } from '../test/helpers/teamsChannel';
import { click } from '../test/helpers/testApp';
import { startRemoteRig, type BenchRow } from './common';

/**
 * Benchmark 3: a sandbox (in its own process) with 10,000 Office 365 users and 5,000 role
 * assignments on the subscription: preflight + impact review time and calls, the bot process's
 * peak RSS, and the impact card's size (targets: ≤ 3 s, ≤ 250 MB, ≤ 28 KB).
 */
export async function scale(users = 10_000, assignments = 5_000): Promise<BenchRow[]> {
  const rig = await startRemoteRig(users, assignments);
  const { sandbox, channel } = rig;
  const h = { ...rig, sandbox: undefined as never };
  const kelley: TeamsUser = {
    id: 'user-id-0',
    name: 'Kelley Wall',
    aadObjectId: IDS.users.kelleyContoso,
  };
  const chat = personalChat(kelley);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  try {
    await channel.say(kelley, 'link');
    await click(h, kelley, chat, 'link.start');
    await click(h, kelley, chat, 'signin.select', { choice: `kelley-work|${IDS.tenants.contoso}` });
    await sandbox.resetCallCounts();
    const started = performance.now();
    await click(h, kelley, chat, 'signin.select', {
      choice: `kelley-msa|${IDS.tenants.defaultDirectory}`,
    });
    await click(h, kelley, chat, 'subscription.choose', {
      subscriptionId: IDS.subscriptions.payAsYouGo,
    });
    const ms = performance.now() - started;
    const calls = await sandbox.callCounts();
    const impactBytes = Buffer.byteLength(JSON.stringify(channel.lastCard(chat).card));
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
      {
        name: '3. peak RSS of the bot process',
        value: Math.round(peakRss / 1024 / 1024),
        unit: 'MB',
        target: 250,
        note: 'sandbox in its own process',
      },
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
