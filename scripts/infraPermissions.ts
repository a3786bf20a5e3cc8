import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CONNECTION_PERMISSIONS,
  connectionNameFor,
  connectionScopes,
  type ConnectionName,
} from '../src/auth/permissions';
import type { SignInKind } from '../src/auth/signIn';

/**
 * `npm run infra:permissions`: writes infra/permissions.json from the permission map
 * (src/auth/permissions.ts), which infra/ loads with `loadJsonContent()` so that the Bicep never
 * types a scope by hand. test/unit/infraPermissions.test.ts fails when the file and the map differ.
 *
 * Each scope of a connection (what {@link connectionScopes} gives the Azure Bot's OAuth connection
 * setting) is split by the API that defines it: `https://management.azure.com/<value>` is Azure
 * Service Management's delegated permission `<value>`; every other value (`openid`, `profile`,
 * `offline_access` and the Graph permissions) is one of Microsoft Graph's `oauth2PermissionScopes`
 * (the OpenID Connect scopes are Graph's too: https://learn.microsoft.com/entra/identity-platform/scopes-oidc#openid-connect-scopes).
 * The Bicep looks each value up by name in the `existing` service principal of its API.
 */

/** Azure Resource Manager's resource URI as a scope prefix. */
const ARM_PREFIX = 'https://management.azure.com/';

/** What one OAuth connection asks for, split by API. */
export interface InfraConnection {
  readonly resource: 'graph' | 'arm';
  /** Who signs in: the Office 365 admin (tenant: the Office 365 tenant) or the subscription admin (`common`). */
  readonly kind: SignInKind;
  /** The scopes string of the connection setting, as {@link connectionScopes} gives it. */
  readonly scopes: string;
  /** Microsoft Graph delegated permission values (`oauth2PermissionScopes[].value`). */
  readonly graph: readonly string[];
  /** Azure Service Management delegated permission values. */
  readonly arm: readonly string[];
}

/** The delegated permissions one Entra application needs: the union of its connections'. */
export interface InfraApp {
  readonly connections: readonly ConnectionName[];
  readonly graph: readonly string[];
  readonly arm: readonly string[];
}

/** The content of infra/permissions.json. */
export interface InfraPermissions {
  readonly $comment: string;
  readonly connections: Record<ConnectionName, InfraConnection>;
  /**
   * `office365`: the single-tenant app of the Office 365 admin's OAuth connections (and Teams
   * SSO); `subscriptionAdmin`: the subscription admin's own sign-in app (ADMIN_SIGNIN_CLIENT_ID),
   * which serves what the `azureSource` and `azureSourceGraph` connections would.
   */
  readonly apps: Record<'office365' | 'subscriptionAdmin', InfraApp>;
}

function split(scopes: string): { graph: string[]; arm: string[] } {
  const values = scopes.split(' ').filter(Boolean);
  return {
    graph: values.filter((v) => !v.startsWith(ARM_PREFIX)),
    arm: values.filter((v) => v.startsWith(ARM_PREFIX)).map((v) => v.slice(ARM_PREFIX.length)),
  };
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];

/** The connections of one sign-in kind, Graph first. */
function connectionsOf(kind: SignInKind): ConnectionName[] {
  return [connectionNameFor(kind, 'graph'), connectionNameFor(kind, 'arm')];
}

/** infra/permissions.json's content, computed from the permission map. */
export function infraPermissions(): InfraPermissions {
  const names = Object.keys(CONNECTION_PERMISSIONS) as ConnectionName[];
  const kindOf = (name: ConnectionName): SignInKind =>
    connectionsOf('office365').includes(name) ? 'office365' : 'azure';
  const connections = Object.fromEntries(
    names.map((name) => {
      const scopes = connectionScopes(name);
      const entry: InfraConnection = {
        resource: CONNECTION_PERMISSIONS[name].resource,
        kind: kindOf(name),
        scopes,
        ...split(scopes),
      };
      return [name, entry];
    }),
  ) as Record<ConnectionName, InfraConnection>;
  const app = (kind: SignInKind): InfraApp => {
    const of = connectionsOf(kind);
    return {
      connections: of,
      graph: unique(of.flatMap((n) => connections[n].graph)),
      arm: unique(of.flatMap((n) => connections[n].arm)),
    };
  };
  return {
    $comment:
      'Generated from src/auth/permissions.ts by `npm run infra:permissions`; do not edit (test/unit/infraPermissions.test.ts).',
    connections,
    apps: { office365: app('office365'), subscriptionAdmin: app('azure') },
  };
}

/** The file's text, formatted as Prettier formats JSON in this repository. */
export async function infraPermissionsText(): Promise<string> {
  // Loaded here, not at the top: jest (which imports infraPermissions) cannot load Prettier 3.
  const { format } = await import('prettier');
  return format(JSON.stringify(infraPermissions()), {
    parser: 'json',
    singleQuote: true,
    printWidth: 100,
  });
}

async function main(): Promise<void> {
  const out = join(resolve(__dirname, '..'), 'infra', 'permissions.json');
  writeFileSync(out, await infraPermissionsText());
  process.stdout.write(`${out}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`infra:permissions failed: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  });
}
