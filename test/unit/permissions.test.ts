import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONNECTION_PERMISSIONS,
  GRAPH_OPERATIONS,
  connectionScopes,
  type ConnectionName,
  type ConnectionPermissions,
} from '../../src/auth/permissions';

/**
 * The permission map is the one truth: every operation a connection serves is allowed by one of
 * its permissions, no connection asks for a permission none of its operations accepts, and the
 * README, .env.sample and infra/permissions.json give exactly the map's scopes.
 */

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const NAMES = Object.keys(CONNECTION_PERMISSIONS) as ConnectionName[];
const conn = (name: ConnectionName): ConnectionPermissions => CONNECTION_PERMISSIONS[name];

it.each(NAMES)('%s: every operation it serves is allowed by one of its permissions', (name) => {
  for (const op of conn(name).operations) {
    const accepted: readonly string[] = GRAPH_OPERATIONS[op].permissions;
    expect({ op, allowed: conn(name).permissions.some((p) => accepted.includes(p)) }).toEqual({
      op,
      allowed: true,
    });
  }
});

it.each(NAMES.filter((n) => conn(n).resource === 'graph'))(
  '%s: asks for no permission that none of its operations accepts',
  (name) => {
    for (const permission of conn(name).permissions) {
      const used = conn(name).operations.some((op) =>
        (GRAPH_OPERATIONS[op].permissions as readonly string[]).includes(permission),
      );
      expect({ permission, used }).toEqual({ permission, used: true });
    }
  },
);

it('asks for the least privileged permission of each operation, or says why not', () => {
  // A higher permission is asked for only where a property or a second operation needs it.
  const WHY: Record<string, string> = {
    'User.Read.All': 'R4 reads otherMails, which User.ReadBasic.All does not return',
    'RoleManagement.Read.Directory': 'roleAssignments needs it; it also covers PIM eligibility',
  };
  for (const name of NAMES.filter((n) => conn(n).resource === 'graph')) {
    for (const op of conn(name).operations) {
      const accepted: readonly string[] = GRAPH_OPERATIONS[op].permissions;
      const held = conn(name).permissions.filter((p) => accepted.includes(p));
      if (held.includes(accepted[0]!)) continue;
      expect({ name, op, why: held.map((p) => WHY[p]).filter(Boolean).length > 0 }).toEqual({
        name,
        op,
        why: true,
      });
    }
  }
});

it.each(NAMES)('%s: README, .env.sample and infra/permissions.json give its scopes', (name) => {
  const scopes = connectionScopes(name);
  expect(read('README.md')).toContain(`| \`${name}\``);
  expect(read('README.md')).toContain(`\`${scopes}\``);
  expect(read('.env.sample')).toContain(`Scopes: ${scopes}`);
  const infra = JSON.parse(read('infra/permissions.json')) as {
    connections: Record<string, { scopes: string }>;
  };
  expect(infra.connections[name]?.scopes).toBe(scopes);
});

it("README's permission table lists every permission the connections ask for", () => {
  const readme = read('README.md');
  for (const name of NAMES)
    for (const permission of conn(name).permissions)
      expect(readme).toMatch(new RegExp(`\\| \`${permission.replace(/\./g, '\\.')}\` +\\|`));
});
