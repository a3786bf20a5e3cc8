import { performance } from 'node:perf_hooks';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { RESOURCE_SCOPES } from '../src/auth/signIn';
import { ArmResourceInventory } from '../src/azure/resourceGraph';
import { renderCard } from '../src/cards/render';
import { inventoryPart } from '../src/dialogs/inventoryCards';
import { LinkCards } from '../src/dialogs/linkCards';
import { Localizer } from '../src/i18n';
import { takeInventory } from '../src/link/inventory';
import { configureLogging } from '../src/log';
import { projectRoot } from '../src/paths';
import { IDS } from '../src/sandbox';
import { SandboxHttp } from '../test/helpers/sandboxHttp';
import type { BenchRow } from './common';
import { startRemoteSandbox } from './remoteSandbox';
import { join } from 'node:path';

/**
 * Issue 17's benchmark: the inventory of a subscription with `count` resources, read from the
 * sandbox's Resource Graph (in its own process, like benchmarks 3 and 5) in pages of 1,000,
 * classified and summarised on the impact card (targets: every page read once, card under Teams'
 * 28 KB, the bot process's peak RSS ≤ 250 MB; time and peak heap reported).
 */
export async function inventory(count = 20_000): Promise<BenchRow[]> {
  configureLogging({ level: 'silent' });
  const sandbox = await startRemoteSandbox(0, 0, {
    resources: count,
    // tenantlink's own cost: Resource Graph's per-user quota (15 queries per 5 s) would add a wait
    // of about 5 s to these 21 queries (the client waits out the quota headers before the 16th).
    resourceGraphQuota: { queries: 1_000, windowMs: 5_000 },
  });
  const http = new SandboxHttp(sandbox);
  try {
    const token = await http.token(IDS.tenants.defaultDirectory, 'kelley.wall@outlook.com', 'arm');
    const credential: TokenCredential = {
      getToken: async (): Promise<AccessToken> => ({
        token,
        expiresOnTimestamp: Date.now() + 3_600_000,
      }),
    };
    await sandbox.resetCallCounts();
    const port = new ArmResourceInventory(credential, {
      endpoint: sandbox.armEndpoint,
      scope: RESOURCE_SCOPES.arm,
      caCertificatePem: sandbox.caCertificatePem,
      timeoutMs: 30_000,
      maxRetries: 2,
    });
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sample = (): void => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    };
    const sampler = setInterval(sample, 20);
    const cpuBefore = process.cpuUsage();
    const sandboxCpuBefore = sandbox.cpuMs();
    const started = performance.now();
    const found = await takeInventory(port, IDS.subscriptions.payAsYouGo);
    const cards = new LinkCards(new Localizer(join(projectRoot(), 'locales')), 'en-US');
    const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
    const report = {
      assignments: [],
      inherited: [],
      byPrincipalType: {},
      byRole: {},
      formerUsers: [],
      customRoles: [],
    };
    const card = renderCard(
      'impact',
      cards.impact(
        { flowId: 'bench', cardId: 'bench' },
        {
          subscriptionId: IDS.subscriptions.payAsYouGo,
          displayName: 'Pay-As-You-Go',
          tenantId: IDS.tenants.defaultDirectory,
          state: 'Enabled',
        },
        'Default Directory',
        {
          tenantId: IDS.tenants.contoso,
          displayName: 'Contoso',
          defaultDomain: 'contoso.onmicrosoft.com',
          verifiedDomains: ['contoso.onmicrosoft.com'],
        },
        report,
        undefined,
        inventoryPart(t, found, undefined),
      ),
    );
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const sandboxCpuAfter = sandbox.cpuMs();
    const sandboxCpu =
      sandboxCpuBefore === undefined || sandboxCpuAfter === undefined
        ? 'unknown'
        : `${sandboxCpuAfter - sandboxCpuBefore} ms`;
    clearInterval(sampler);
    sample();
    const pages = (await sandbox.callCounts()).arm;
    const bytes = Buffer.byteLength(JSON.stringify(card));
    const expectedPages = Math.ceil(count / 1000) + 1;
    return [
      {
        name: `17. inventory of ${count.toLocaleString('en-US')} resources`,
        value: Math.round(ms),
        unit: 'ms',
        note: `${found.groups.length} kinds found; CPU: bot ${Math.round((cpu.user + cpu.system) / 1000)} ms, sandbox ${sandboxCpu}`,
      },
      {
        name: '17. Resource Graph calls (pages of 1,000 + policies)',
        value: Math.abs(pages - expectedPages),
        unit: `calls off ${expectedPages}`,
        target: 0,
        note: `${pages} calls`,
      },
      {
        name: '17. inventory summary card size',
        value: bytes,
        unit: 'bytes',
        target: 28 * 1024,
      },
      {
        name: '17. peak RSS of the bot process',
        value: Math.round(peakRss / 1024 / 1024),
        unit: 'MB',
        target: 250,
        note: `sandbox in its own process; heap ${Math.round(before.heapUsed / 1024 / 1024)} MB before, peak ${Math.round(peakHeap / 1024 / 1024)} MB`,
      },
    ];
  } finally {
    await http.close();
    await sandbox.stop();
  }
}
