import { performance } from 'node:perf_hooks';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { RESOURCE_SCOPES } from '../src/auth/signIn';
import { ArmClient } from '../src/azure/armClient';
import { ArmAzureManagement } from '../src/azure/azureManagement';
import { BUILT_IN_ROLES } from '../src/domain/roles';
import { grantAccess } from '../src/link/access';
import { IDS, startSandboxCloud } from '../src/sandbox';
import { configureLogging } from '../src/log';
import { SandboxHttp } from '../test/helpers/sandboxHttp';
import type { BenchRow } from './common';
import { scaledSeed } from './seeds';

/**
 * Benchmark 4: grant a role to 200 Office 365 accounts while ARM answers 10 % of the writes with
 * 429 and Retry-After: 1 (targets: ≤ 10 s, no duplicate, none lost, checked on the sandbox).
 */
export async function grants(count = 200): Promise<BenchRow[]> {
  configureLogging({ level: 'silent' });
  const sandbox = await startSandboxCloud({
    seed: scaledSeed({ contosoUsers: count, assignments: 0 }),
  });
  const http = new SandboxHttp(sandbox);
  try {
    await http.call(
      'POST',
      `/_sandbox/portal/subscriptions/${IDS.subscriptions.payAsYouGo}/changeDirectory`,
      {
        body: { destinationTenantId: IDS.tenants.contoso, ownerObjectId: IDS.users.kelleyContoso },
      },
    );
    const token = await http.token(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', 'arm');
    const credential: TokenCredential = {
      getToken: async (): Promise<AccessToken> => ({
        token,
        expiresOnTimestamp: Date.now() + 3_600_000,
      }),
    };
    const azure = new ArmAzureManagement(
      new ArmClient(credential, {
        endpoint: sandbox.armEndpoint,
        scope: RESOURCE_SCOPES.arm,
        caCertificatePem: sandbox.caCertificatePem,
        timeoutMs: 10_000,
        maxRetries: 4,
      }),
    );
    const contoso = sandbox.snapshot().tenants.find((t) => t.id === IDS.tenants.contoso)!;
    const users = contoso.users
      .filter((u) => u.userPrincipalName.startsWith('bench.'))
      .map((u) => ({
        id: u.id,
        displayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
        mail: null,
        otherMails: [],
      }));
    sandbox.setFaults({
      rules: [
        {
          api: 'arm',
          method: 'PUT',
          path: 'roleAssignments/',
          status: 429,
          retryAfterSeconds: 1,
          every: 10,
        },
      ],
    });
    sandbox.resetCallCounts();
    const started = performance.now();
    const results = await grantAccess(azure, IDS.subscriptions.payAsYouGo, users, 'Reader');
    const ms = performance.now() - started;
    const throttled = sandbox.injectedFaults().arm;
    sandbox.setFaults({});
    const sub = sandbox
      .snapshot()
      .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
    const held = sub.roleAssignments.filter((a) => a.roleDefinitionId === BUILT_IN_ROLES.Reader);
    const keys = held.map((a) => `${a.principalId}|${a.scope}`);
    const duplicates = keys.length - new Set(keys).size;
    const wanted = new Set(users.map((u) => u.id));
    const lost = [...wanted].filter((id) => !held.some((a) => a.principalId === id)).length;
    return [
      {
        name: `4. grant ${count} accounts, 10 % 429`,
        value: Math.round(ms),
        unit: 'ms',
        target: 10_000,
        note: `${throttled} throttled, ${sandbox.callCounts().arm} ARM calls`,
      },
      {
        name: '4. failed grants',
        value: results.filter((r) => r.outcome === 'failed').length,
        unit: 'count',
        target: 0,
      },
      { name: '4. duplicates in sandbox', value: duplicates, unit: 'count', target: 0 },
      { name: '4. lost in sandbox', value: lost, unit: 'count', target: 0 },
    ];
  } finally {
    await http.close();
    await sandbox.stop();
  }
}
