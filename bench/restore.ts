import { performance } from 'node:perf_hooks';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { cloudClients } from '../src/app';
import { emailsOf, planRestore } from '../src/domain/restorePlan';
import { reviewImpact } from '../src/link/impact';
import { restoreAccess } from '../src/link/restore';
import { configureLogging } from '../src/log';
import { IDS, startSandboxCloud } from '../src/sandbox';
import { SandboxHttp } from '../test/helpers/sandboxHttp';
import type { BenchRow } from './common';
import { scaledSeed } from './seeds';

/**
 * Benchmark 6 (issue 9): carry 1,000 removed role assignments across a move. Half of their
 * holders have an Office 365 account under the same email (restored to it), the other half are
 * invited as guests first. Reports wall time and Graph/ARM calls of the restore, and checks the
 * sandbox: every assignment back, none failed, none twice (target: 0 failed, 0 missing).
 */
export async function restore(count = 1000): Promise<BenchRow[]> {
  configureLogging({ level: 'silent' });
  const seed = scaledSeed({ contosoUsers: 0, assignments: count }) as unknown as {
    tenants: { id: string; users: Record<string, unknown>[] }[];
  };
  const contoso = seed.tenants.find((t) => t.id === IDS.tenants.contoso)!;
  for (let i = 0; i < count; i += 2) {
    contoso.users.push({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      accountId: `bench-same-${i}`,
      displayName: `Same Person ${i}`,
      givenName: 'Same',
      surname: String(i),
      userPrincipalName: `same${i}@contoso.onmicrosoft.com`,
      mail: `guest${i}@example.com`,
      otherMails: [],
      userType: 'Member',
      jobTitle: null,
    });
  }
  const sandbox = await startSandboxCloud({ seed: seed as never });
  const http = new SandboxHttp(sandbox);
  const credential = (tenant: string, user: string, scope: 'graph' | 'arm'): TokenCredential => ({
    getToken: async (): Promise<AccessToken> => ({
      token: await http.token(tenant, user, scope),
      expiresOnTimestamp: Date.now() + 3_600_000,
    }),
  });
  const clients = cloudClients(
    sandbox,
    { caCertificatePem: sandbox.caCertificatePem, timeoutMs: 10_000, maxRetries: 4 },
    'https://portal.azure.com',
  );
  const S = IDS.subscriptions.payAsYouGo;
  try {
    const msa = (scope: 'graph' | 'arm') =>
      credential(IDS.tenants.defaultDirectory, 'kelley.wall@outlook.com', scope);
    const admin = (scope: 'graph' | 'arm') =>
      credential(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', scope);
    const report = await reviewImpact(
      clients.azure(msa('arm')),
      clients.directory(msa('graph')),
      S,
    );
    const office365 = clients.directory(admin('graph'));
    const matches = await office365.usersWithEmails(report.formerUsers.flatMap(emailsOf));
    const plan = planRestore(report.assignments, report.formerUsers, matches);
    await http.call('POST', `/_sandbox/portal/subscriptions/${S}/changeDirectory`, {
      body: { destinationTenantId: IDS.tenants.contoso, ownerObjectId: IDS.users.kelleyContoso },
    });

    sandbox.resetCallCounts();
    const started = performance.now();
    const run = await restoreAccess(
      office365,
      clients.azure(admin('arm')),
      S,
      plan,
      'https://portal.azure.com',
      report.customRoles,
    );
    const ms = performance.now() - started;
    const calls = sandbox.callCounts();
    const outcomes = run.assignments.reduce<Record<string, number>>(
      (acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }),
      {},
    );
    const held = sandbox
      .snapshot()
      .subscriptions.find((s) => s.subscriptionId === S)!.roleAssignments;
    const keys = held.map((a) => `${a.principalId}|${a.scope}|${a.roleDefinitionId}`);
    const userEntries = plan.filter((e) => e.action.kind !== 'skip').length;
    return [
      {
        name: `6. restore ${userEntries} assignments (half invited)`,
        value: Math.round(ms),
        unit: 'ms',
        note: `graph ${calls.graph} calls (invitations), arm ${calls.arm} calls; ${outcomes.restored ?? 0} restored, ${outcomes.invitedRestored ?? 0} after invitation`,
      },
      {
        name: '6. failed restores',
        value: outcomes.failed ?? 0,
        unit: 'count',
        target: 0,
      },
      {
        name: '6. missing in sandbox',
        value: Math.max(0, userEntries + 1 - held.length),
        unit: 'count',
        target: 0,
        note: "the acceptor's Owner assignment counted",
      },
      {
        name: '6. duplicates in sandbox',
        value: keys.length - new Set(keys).size,
        unit: 'count',
        target: 0,
      },
    ];
  } finally {
    await http.close();
    await sandbox.stop();
  }
}
