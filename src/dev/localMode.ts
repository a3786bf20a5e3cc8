import { readFileSync } from 'node:fs';
import type { LocalCloud, LocalCloudEndpoints, LocalMode } from '../app';
import type { LocalSignIn } from '../bot/signIns';
import { SandboxTokenService } from '../auth/sandboxTokenService';
import type { CloudHttpOptions } from '../cloud/http';
import type { Config } from '../config';
import { SandboxSignInDialog } from '../dialogs/sandboxSignInDialog';
import type { Localizer } from '../i18n';
import { IDS, sandboxEndpointsAt, startSandboxCloud } from '../sandbox';
import { identityHeaderFor } from '../sandbox/managedIdentity';
import { startAgentsPlayground } from './agentsPlayground';

/**
 * Local mode, loaded only by the development entry: the sandbox cloud (started here, or one
 * already running at SANDBOX_URL), its token service and sign-in card, and the Agents Playground.
 * None of it is in the production build (tsconfig.build.json): the container runs cloud mode only.
 */
export const localMode: LocalMode = {
  async cloud(config: Config, given?: LocalCloudEndpoints): Promise<LocalCloud> {
    if (given) return { endpoints: given, owned: false };
    if (config.sandbox.url)
      return {
        endpoints: sandboxEndpointsAt(
          config.sandbox.url,
          readFileSync(config.sandbox.caFile, 'utf8'),
          config.sandbox.secret,
        ),
        owned: false,
      };
    return { endpoints: await startSandboxCloud({ port: config.sandbox.port }), owned: true };
  },

  signIn(
    endpoints: LocalCloudEndpoints,
    http: CloudHttpOptions,
    localizer: Localizer,
    ids: { readonly office365: string; readonly azure: string },
  ): LocalSignIn {
    const tokens = new SandboxTokenService(endpoints, http, IDS.applications.signInCard);
    return {
      tokens,
      office365Dialog: new SandboxSignInDialog(ids.office365, 'office365', tokens, localizer),
      sandbox: tokens,
      directoryClientId: IDS.applications.local,
      federated: {
        clientId: IDS.applications.federated,
        managedIdentityClientId: IDS.managedIdentities.bot.clientId,
        useIdentityEndpoint() {
          // MSAL Node's App Service source reads these two variables of the process (as App
          // Service sets them); locally they name the sandbox's endpoint, unless already set.
          process.env.IDENTITY_ENDPOINT ??= `${endpoints.url}/msi/token`;
          process.env.IDENTITY_HEADER ??= identityHeaderFor(endpoints.controlSecret);
        },
      },
    };
  },

  startChatClient: startAgentsPlayground,
};
