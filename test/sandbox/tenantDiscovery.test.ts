import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverSubscriptionTenant } from '../../src/azure/tenantDiscovery';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * Issue 16, first part: the sandbox behaves as Entra ID and ARM do for the seeds' subscription
 * admin, a Microsoft account. ARM names a subscription's directory to an unauthenticated caller;
 * the token endpoint refuses that account an ARM token through `common`. The OAuth connection
 * `azureSource` is configured with tenant `common` (README): this test proves
 * that configuration cannot sign the seeds' admin in to Azure on Microsoft's cloud.
 */

let sandbox: SandboxCloud;
let http: SandboxHttp;
const S = IDS.subscriptions;

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
});
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});

const opts = () => ({ caCertificatePem: sandbox.caCertificatePem, timeoutMs: 5000, maxRetries: 0 });

it("finds the directory of a subscription from ARM's challenge, before any sign-in", async () => {
  const unauthenticated = await http.call(
    'GET',
    `/arm/subscriptions/${S.payAsYouGo}?api-version=2022-12-01`,
  );
  expect(unauthenticated.status).toBe(401);
  expect(unauthenticated.headers['www-authenticate']).toMatch(
    new RegExp(
      `^Bearer authorization_uri="[^"]+/${IDS.tenants.defaultDirectory}", error="invalid_token"`,
    ),
  );
  expect(await discoverSubscriptionTenant(sandbox.armEndpoint, S.payAsYouGo, opts())).toBe(
    IDS.tenants.defaultDirectory,
  );
  expect(await discoverSubscriptionTenant(sandbox.armEndpoint, S.lab, opts())).toBe(
    IDS.tenants.contosoLab,
  );
  expect(
    await discoverSubscriptionTenant(
      sandbox.armEndpoint,
      '00000000-0000-4000-8000-000000000000',
      opts(),
    ),
  ).toBeUndefined();
  await expect(
    discoverSubscriptionTenant(sandbox.armEndpoint, 'not-a-guid', opts()),
  ).rejects.toThrow(/TL-CLOUD-BAD-REQUEST/);
});

it('signs the seeds admin in to Azure at the discovered directory, and refuses it through common', async () => {
  const tenant = await discoverSubscriptionTenant(sandbox.armEndpoint, S.payAsYouGo, opts());
  const token = await http.token(tenant!, 'kelley.wall@outlook.com', 'arm');
  const sub = await http.call('GET', `/arm/subscriptions/${S.payAsYouGo}?api-version=2022-12-01`, {
    token,
  });
  expect(sub.body.tenantId).toBe(IDS.tenants.defaultDirectory);

  // The azureSource connection as README's manual path documents it: tenant `common`.
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const azureSource = /\| `azureSource` +\| `([^`]+)`/.exec(readme)?.[1];
  expect(azureSource).toBe('common');
  const refused = await http.call('POST', `/login/${azureSource}/oauth2/v2.0/token`, {
    form: {
      grant_type: 'password',
      username: 'kelley.wall@outlook.com',
      password: 'Sandbox-Passw0rd!',
      client_id: IDS.applications.signInCard,
      scope: 'https://management.azure.com/user_impersonation offline_access',
    },
  });
  expect([refused.status, refused.body.error, refused.body.error_codes]).toEqual([
    400,
    'invalid_scope',
    [70011],
  ]);
});
