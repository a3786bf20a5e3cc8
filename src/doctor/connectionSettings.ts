import type { TokenCredential } from '@azure/core-auth';
import { request } from 'undici';
import type { LocalCloudEndpoints } from '../app';
import { RESOURCE_SCOPES } from '../auth/signIn';
import { ArmClient } from '../azure/armClient';
import { dispatcherFor, type CloudHttpOptions } from '../cloud/http';
import { TenantlinkError } from '../errors';

/**
 * Reads an Azure Bot's OAuth connection settings, the only place their scopes can be read: the
 * Bot Framework token service's API (botframework-connector `UserTokenClient`) tells whether a
 * connection exists, never its scopes. In the cloud: ARM `GET
 * /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.BotService/botServices/{bot}/connections/{name}?api-version=2022-09-15`
 * (BotConnection_Get, `properties.scopes`; the client secret is not returned:
 * https://learn.microsoft.com/rest/api/botservice/bot-connection/get, azure-rest-api-specs
 * specification/botservice/resource-manager/Microsoft.BotService/stable/2022-09-15/botservice.json)
 * with the operator's credential; in local mode the sandbox's stand-in, which answers the same
 * shape (src/sandbox/tokenService.ts).
 */

/** A connection's settings as ARM returns them; `undefined` when the bot has no such connection. */
export interface ConnectionSettings {
  readonly clientId: string;
  /** Space-separated scopes. */
  readonly scopes: string;
}

/** Reads one connection's settings. */
export interface ConnectionSettingsReader {
  /**
   * @returns the settings, or undefined when ARM answers 404 (no such connection)
   * @throws TenantlinkError when the settings cannot be read (credential, network, permission)
   */
  get(name: string): Promise<ConnectionSettings | undefined>;
}

interface ConnectionResource {
  properties?: { clientId?: string; scopes?: string };
}

const API_VERSION = '2022-09-15';

/** The ARM reader for the bot `botName` of `resourceGroup` in `subscriptionId`. */
export function armConnectionSettings(
  credential: TokenCredential,
  bot: { subscriptionId: string; resourceGroup: string; botName: string },
  options: CloudHttpOptions & { armEndpoint: string },
): ConnectionSettingsReader {
  const arm = new ArmClient(credential, {
    ...options,
    endpoint: options.armEndpoint,
    scope: RESOURCE_SCOPES.arm,
  });
  const base =
    `/subscriptions/${encodeURIComponent(bot.subscriptionId)}` +
    `/resourceGroups/${encodeURIComponent(bot.resourceGroup)}` +
    `/providers/Microsoft.BotService/botServices/${encodeURIComponent(bot.botName)}/connections`;
  return {
    async get(name) {
      try {
        const res = await arm.send<ConnectionResource>(
          'GET',
          `${base}/${encodeURIComponent(name)}?api-version=${API_VERSION}`,
        );
        return settingsOf(res.body);
      } catch (err) {
        if (err instanceof TenantlinkError && err.code === 'TL-CLOUD-NOT-FOUND') return undefined;
        throw err;
      }
    },
  };
}

/** The sandbox's reader (`GET /_sandbox/tokenservice/connections/{name}`, its control secret). */
export function sandboxConnectionSettings(
  sandbox: LocalCloudEndpoints,
  timeoutMs: number,
): ConnectionSettingsReader {
  const dispatcher = dispatcherFor(sandbox);
  return {
    async get(name) {
      const res = await request(
        `${sandbox.url}/_sandbox/tokenservice/connections/${encodeURIComponent(name)}`,
        {
          headers: { authorization: `Bearer ${sandbox.controlSecret}` },
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(dispatcher ? { dispatcher } : {}),
        },
      );
      const text = await res.body.text();
      if (res.statusCode === 404) return undefined;
      if (res.statusCode !== 200)
        throw new TenantlinkError('cloudUnavailable', {
          detail: `sandbox connection settings: HTTP ${res.statusCode}`,
        });
      return settingsOf(JSON.parse(text) as ConnectionResource);
    },
  };
}

function settingsOf(resource: ConnectionResource | undefined): ConnectionSettings {
  return {
    clientId: resource?.properties?.clientId ?? '',
    scopes: resource?.properties?.scopes ?? '',
  };
}
