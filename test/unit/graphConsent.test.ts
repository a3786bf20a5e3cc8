import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONNECTION_PERMISSIONS,
  GRAPH_OPERATIONS,
  type ConnectionPermissions,
} from '../../src/auth/permissions';

/**
 * Who can consent to what tenantlink asks for. The subscription admin signs in at a directory
 * that is often not the Office 365 tenant (a Microsoft account's default directory, another
 * organisation's), where they may be an Owner of the subscription but no directory administrator:
 * the `azureSourceGraph` connection must therefore ask only for permissions a user may consent
 * to for themselves. Whether a permission needs admin consent is Microsoft's own flag
 * (`schemes.DelegatedWork.requiresAdminConsent` of the Graph permissions file; vendored with its
 * commit in test/contracts/graphConsent.json).
 */

interface ConsentTable {
  source: { repository: string; path: string; commit: string };
  requiresAdminConsent: Record<string, boolean>;
}

const table = JSON.parse(
  readFileSync(join(__dirname, '..', 'contracts', 'graphConsent.json'), 'utf8'),
) as ConsentTable;

const graphConnections = Object.entries(
  CONNECTION_PERMISSIONS as Record<string, ConnectionPermissions>,
).filter(([, c]) => c.resource === 'graph');

it('knows the consent flag of every Graph permission the map names', () => {
  const named = new Set([
    ...Object.values(GRAPH_OPERATIONS).flatMap((op) => op.permissions),
    ...graphConnections.flatMap(([, c]) => c.permissions),
  ]);
  const unknown = [...named].filter((p) => !(p in table.requiresAdminConsent));
  expect(unknown).toEqual([]);
  expect(table.source.commit).toMatch(/^[0-9a-f]{40}$/);
});

it('asks the subscription admin only for permissions a user can consent to', () => {
  const needsAdmin = CONNECTION_PERMISSIONS.azureSourceGraph.permissions.filter(
    (p) => table.requiresAdminConsent[p] !== false,
  );
  expect(needsAdmin).toEqual([]);
});

it('LicenseAssignment.Read.All (add office365) needs no admin consent: asking for it at the first sign-in is fine', () => {
  expect(table.requiresAdminConsent['LicenseAssignment.Read.All']).toBe(false);
  expect(CONNECTION_PERMISSIONS.azureSourceGraph.permissions).toContain(
    'LicenseAssignment.Read.All',
  );
});

it('the Office 365 connection does need admin consent, which README tells the Global Administrator to grant', () => {
  const needsAdmin = CONNECTION_PERMISSIONS.graph.permissions.filter(
    (p) => table.requiresAdminConsent[p],
  );
  expect(needsAdmin.length).toBeGreaterThan(0);
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).toMatch(/Grant admin consent for the Office 365 tenant/);
});
