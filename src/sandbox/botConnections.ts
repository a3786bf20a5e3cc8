import { CONNECTION_PERMISSIONS, connectionScopes, type ConnectionName } from '../auth/permissions';

/**
 * The OAuth connection settings of the sandbox's Azure Bot: what the Bot Framework token service
 * knows by name, and the scopes each asks Entra for. Seeded with tenantlink's four connections
 * under their default names (src/config.ts) and exactly the scopes of the permission map
 * (src/auth/permissions.ts `connectionScopes`); tests and operators change them through the
 * control API (`/_sandbox/tokenservice/connections`, src/sandbox/tokenService.ts) to reproduce a
 * misconfigured bot. The shape is the ARM resource `Microsoft.BotService/botServices/connections`
 * (ConnectionSetting, api-version 2022-09-15: `properties.clientId`, `properties.scopes`,
 * `properties.serviceProviderDisplayName`; the secret is never returned by a GET,
 * https://learn.microsoft.com/rest/api/botservice/bot-connection/get).
 */

/** One OAuth connection setting as ARM's GET returns it. */
export interface BotConnectionSetting {
  readonly name: string;
  readonly properties: {
    readonly clientId: string;
    /** Space-separated scopes, as the portal's "Scopes" field holds them. */
    readonly scopes: string;
    readonly serviceProviderDisplayName: string;
  };
}

/** The Entra app of the sandbox's OAuth connections (the SSO app of a deployment). */
export const SANDBOX_CONNECTION_CLIENT_ID = 'tenantlink-sandbox-sso';

/** The seeded connections: tenantlink's four, named as src/config.ts defaults them. */
export function defaultBotConnections(): BotConnectionSetting[] {
  return (Object.keys(CONNECTION_PERMISSIONS) as ConnectionName[]).map((name) =>
    connectionSetting(name, connectionScopes(name)),
  );
}

/** A connection setting of the sandbox's Azure Bot (Microsoft Entra ID v2 provider). */
export function connectionSetting(
  name: string,
  scopes: string,
  clientId = SANDBOX_CONNECTION_CLIENT_ID,
): BotConnectionSetting {
  return {
    name,
    properties: { clientId, scopes, serviceProviderDisplayName: 'Azure Active Directory v2' },
  };
}

/**
 * The registry: connection names are matched exactly (the token service's lookup key is the
 * name the bot sends).
 */
export class BotConnections {
  private readonly byName = new Map<string, BotConnectionSetting>();

  constructor() {
    this.reset();
  }

  /** Back to {@link defaultBotConnections}. */
  reset(): void {
    this.byName.clear();
    for (const c of defaultBotConnections()) this.byName.set(c.name, c);
  }

  /** The setting of `name`, undefined when the bot has no such connection. */
  get(name: string): BotConnectionSetting | undefined {
    return this.byName.get(name);
  }

  list(): BotConnectionSetting[] {
    return [...this.byName.values()];
  }

  /** Creates or replaces a connection. */
  set(setting: BotConnectionSetting): void {
    this.byName.set(setting.name, setting);
  }

  /** Deletes a connection. @returns whether it existed */
  delete(name: string): boolean {
    return this.byName.delete(name);
  }
}
