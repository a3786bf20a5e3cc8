import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import {
  ServiceClientCredentialsFactory,
  type ServiceClientCredentials,
  type UserTokenClient,
} from 'botframework-connector';
import type { LocalCloudEndpoints } from '../app';
import { createBotAuthentication, userTokenClientFactory } from '../bot/adapter';
import { connectorHttpClient } from '../bot/connectorHttp';
import { redactString } from '../log';
import type { Config } from '../config';

/**
 * The doctor's client of the Bot Framework token service: the bot's own (botframework-connector's
 * `UserTokenClient` from the bot's authentication, src/bot/adapter.ts) and the question it asks.
 * `GET api/usertoken/GetToken?userId&connectionName&channelId` for a user who never signed in
 * answers 404 ("not signed in", the response the connector's operation spec expects) when the bot
 * has the connection, and the service's `ServiceError` "Could not find Connection Setting with name
 * …" when it does not (Microsoft Teams docs, "Error handling messages", Bots:
 * https://learn.microsoft.com/microsoftteams/platform/resources/error-handling; botbuilder-js
 * issue 4773). No user is signed in, nothing is written.
 */

/** The user id the doctor asks for: no person, so never signed in. */
export const DOCTOR_USER = 'tenantlink-doctor';

/** The channel tenantlink's tokens belong to. */
const CHANNEL = 'msteams';

/** What the token service said about a connection name. */
export type ConnectionProbe =
  | { readonly kind: 'known' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'error'; readonly reason: string };

/** Asks the token service about one connection name (see above). */
export async function probeConnection(
  client: UserTokenClient,
  name: string,
): Promise<ConnectionProbe> {
  try {
    await client.getUserToken(DOCTOR_USER, name, CHANNEL, '');
    return { kind: 'known' };
  } catch (err) {
    const text = errorText(err);
    if (/could not find connection setting/i.test(text)) return { kind: 'unknown' };
    return { kind: 'error', reason: redactString(text).slice(0, 300) };
  }
}

/** The message and body of a connector error (RestError), for matching and the report. */
function errorText(err: unknown): string {
  const e = err as { message?: unknown; body?: unknown; statusCode?: unknown } | null;
  const body = e?.body === undefined ? '' : JSON.stringify(e.body);
  return `${e?.statusCode ? `HTTP ${String(e.statusCode)} ` : ''}${String(e?.message ?? err)} ${body}`;
}

/** The bot's own token service client in cloud mode (its identity signs the requests). */
export function cloudUserTokenClient(config: Config): () => Promise<UserTokenClient> {
  return userTokenClientFactory(createBotAuthentication(config), config.bot.appId);
}

/**
 * The sandbox token service's client in local mode: botbuilder's authentication with the OAuth URL
 * at the sandbox's token service, its certificate trusted for these requests only, and the
 * sandbox's control secret in place of the bot's token (local mode has no bot identity).
 */
export function sandboxUserTokenClient(
  sandbox: LocalCloudEndpoints,
  timeoutMs: number,
): () => Promise<UserTokenClient> {
  const auth = new ConfigurationBotFrameworkAuthentication(
    { OAuthUrl: `${sandbox.url}/_sandbox/tokenservice` },
    new SandboxCredentialsFactory(sandbox.controlSecret),
    undefined,
    undefined,
    { httpClient: connectorHttpClient(timeoutMs, sandbox.caCertificatePem) },
  );
  return userTokenClientFactory(auth, '');
}

/** Credentials that sign each request with the sandbox's control secret. */
class SandboxCredentialsFactory extends ServiceClientCredentialsFactory {
  constructor(private readonly secret: string) {
    super();
  }

  isValidAppId(): Promise<boolean> {
    return Promise.resolve(true);
  }

  isAuthenticationDisabled(): Promise<boolean> {
    return Promise.resolve(false);
  }

  createCredentials(): Promise<ServiceClientCredentials> {
    const secret = this.secret;
    return Promise.resolve({
      signRequest(request) {
        request.headers.set('authorization', `Bearer ${secret}`);
        return Promise.resolve(request);
      },
    });
  }
}
