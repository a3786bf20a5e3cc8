import { MemoryStorage } from 'botbuilder';
import { join } from 'node:path';
import { createAdapter, createBotAuthentication } from '../../src/bot/adapter';
import { composeSignIns } from '../../src/bot/signIns';
import { loadConfig } from '../../src/config';
import { DirectorySignInDialog } from '../../src/dialogs/directorySignInDialog';
import { OAuthSignInDialog } from '../../src/dialogs/oauthSignInDialog';
import { Localizer } from '../../src/i18n';
import { projectRoot } from '../../src/paths';
import { TEST_TOKEN_CACHE_KEY } from '../helpers/testApp';

/** Which sign-in serves the subscription admin in cloud mode, by configuration. */

const CLOUD = {
  MicrosoftAppId: '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f',
  MicrosoftAppPassword: 'Zx9~app-password-value.Q1',
  MicrosoftAppType: 'MultiTenant',
};
const OWN = {
  ADMIN_SIGNIN_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  ADMIN_SIGNIN_CLIENT_SECRET: 'Qw8~admin-sign-in-secret.value',
  ADMIN_SIGNIN_REDIRECT_URI: 'https://tenantlink.example/auth/azure/callback',
  TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY,
};

function compose(env: Record<string, string>) {
  const config = loadConfig(env);
  const auth = createBotAuthentication(config);
  return composeSignIns({
    config,
    storage: new MemoryStorage(),
    localizer: new Localizer(join(projectRoot(), 'locales')),
    http: { timeoutMs: 1000, maxRetries: 0 },
    endpoints: config.cloud,
    ids: { office365: 'signIn.office365', azure: 'signIn.azure' },
    adapter: createAdapter(config, auth),
    auth,
    local: undefined,
    serverUrl: () => 'https://unused.example',
  });
}

it('signs the subscription admin in at the subscription directory when the app registration is configured', () => {
  const signIns = compose({ ...CLOUD, ...OWN });
  expect(signIns.dialogs.map((d) => [d.id, d.constructor])).toEqual([
    ['signIn.office365', OAuthSignInDialog],
    ['signIn.azure', DirectorySignInDialog],
  ]);
  expect(signIns.callback).toBeDefined();
});

it('falls back to the azureSource OAuth connection, without a redirect endpoint, when it is not', () => {
  const signIns = compose(CLOUD);
  expect(signIns.dialogs.map((d) => [d.id, d.constructor])).toEqual([
    ['signIn.office365', OAuthSignInDialog],
    ['signIn.azure', OAuthSignInDialog],
  ]);
  expect(signIns.callback).toBeUndefined();
});
