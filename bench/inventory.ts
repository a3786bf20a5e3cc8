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
import { DEFAULT_SEED, IDS, startSandboxCloud, type Seed } from '../src/sandbox';
import { SandboxHttp } from '../test/helpers/sandboxHttp';
import type { BenchRow } from './common';
import { join } from 'node:path';

/** Resource types of the inventory benchmark, with the identity each one has. */
const TYPES: readonly [string, string | undefined][] = [
  ['Microsoft.Compute/virtualMachines', 'SystemAssigned'],
  ['Microsoft.Network/networkInterfaces', undefined],
  ['Microsoft.Compute/disks', undefined],
  ['Microsoft.KeyVault/vaults', undefined],
  ['Microsoft.ManagedIdentity/userAssignedIdentities', undefined],
  ['Microsoft.Storage/storageAccounts', undefined],
  ['Microsoft.Web/sites', 'SystemAssigned, UserAssigned'],
  ['Microsoft.Network/virtualNetworks', undefined],
];

/**
 * Issue 17's benchmark: the inventory of a subscription with `count` resources, read from the
 * sandbox's Resource Graph in pages of 1,000, classified and summarised on the impact card
 * (targets: every page read once, card under Teams' 28 KB; time and peak RSS reported).
 */
export async function inventory(count = 20_000): Promise<BenchRow[]> {
  configureLogging({ level: 'silent' });
  const seed = structuredClone(DEFAULT_SEED) as { -readonly [K in keyof Seed]: Seed[K] };
  const subscriptions = seed.subscriptions.map((s) =>
    s.subscriptionId !== IDS.subscriptions.payAsYouGo
      ? s
      : {
          ...s,
          resources: Array.from({ length: count }, (_, i) => {
            const [type, identity] = TYPES[i % TYPES.length]!;
            return {
              name: `contoso-workload-${String(i).padStart(5, '0')}`,
              type,
              resourceGroup: `rg-${i % 40}`,
              location: 'westeurope',
              ...(identity ? { identity: { type: identity } } : {}),
              ...(type === 'Microsoft.Storage/storageAccounts'
                ? { properties: { isHnsEnabled: i % 2 === 0 } }
                : {}),
            };
          }),
        },
  );
  let pages = 0;
  const sandbox = await startSandboxCloud({
    seed: { ...seed, subscriptions },
    // tenantlink's own cost: Resource Graph's per-user quota (15 queries per 5 s) can add a wait
    // of up to 5 s to these 21 queries, which the client takes from the quota headers.
    resourceGraphQuota: { queries: 1_000, windowMs: 5_000 },
    recorder: (call) => {
      if (/ResourceGraph/i.test(call.path)) pages++;
    },
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
    const port = new ArmResourceInventory(credential, {
      endpoint: sandbox.armEndpoint,
      scope: RESOURCE_SCOPES.arm,
      caCertificatePem: sandbox.caCertificatePem,
      timeoutMs: 30_000,
      maxRetries: 2,
    });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
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
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const bytes = Buffer.byteLength(JSON.stringify(card));
    const expectedPages = Math.ceil(count / 1000) + 1;
    return [
      {
        name: `17. inventory of ${count.toLocaleString('en-US')} resources`,
        value: Math.round(ms),
        unit: 'ms',
        note: `${found.groups.length} kinds found`,
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
        name: '17. peak RSS of the process (bot and sandbox in one)',
        value: Math.round(peakRss / 1024 / 1024),
        unit: 'MiB',
      },
    ];
  } finally {
    await http.close();
    await sandbox.stop();
  }
}
