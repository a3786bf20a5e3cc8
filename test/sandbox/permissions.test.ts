import { connectionScopes } from '../../src/auth/permissions';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { CaseTable } from '../helpers/caseTable';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * Permissions as Microsoft enforces them, on the sandbox: a token carries exactly the delegated
 * permissions asked for (a connection's scopes), each Graph operation needs one the docs accept
 * (403 Authorization_RequestDenied otherwise), `User.ReadBasic.All` returns only the basic
 * profile (no otherMails), and a permission never consented is refused at the token endpoint.
 */

let sandbox: SandboxCloud;
let http: SandboxHttp;
const table = new CaseTable('Graph permissions on the sandbox');
const GA = '62e90394-69f5-4237-9190-012177145e10';

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
});
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});

/** Kelley's Graph token with exactly `scope`. */
async function tokenWith(scope: string): Promise<{ status: number; token: string; body: unknown }> {
  const res = await http.call('POST', `/login/${IDS.tenants.contoso}/oauth2/v2.0/token`, {
    form: {
      grant_type: 'password',
      username: 'admin@contoso.onmicrosoft.com',
      password: 'Sandbox-Passw0rd!',
      client_id: IDS.applications.signInCard,
      scope,
    },
  });
  return { status: res.status, token: res.body.access_token as string, body: res.body };
}

const globalAdmins = (token: string) =>
  http.call(
    'GET',
    `/graph/v1.0/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${GA}'&$expand=principal`,
    { token },
  );
const invite = (token: string) =>
  http.call('POST', '/graph/v1.0/invitations', {
    token,
    body: { invitedUserEmailAddress: 'someone@example.com', inviteRedirectUrl: 'https://x' },
  });

it("gives the graph connection's token what rule R4 and the restore need", async () => {
  const { token } = await tokenWith(connectionScopes('graph'));
  const admins = await globalAdmins(token);
  expect(admins.status).toBe(200);
  const megan = admins.body.value.find(
    (a: { principalId: string }) => a.principalId === IDS.users.meganContoso,
  );
  expect(megan.principal.otherMails).toEqual(['megan.bowen@outlook.com']);
  expect(table.record('graph connection: invite', '201', (await invite(token)).status)).toBe(201);
  sandbox.reset();
});

it("proves yesterday's scopes would fail on Microsoft's cloud: no otherMails, no invitations", async () => {
  const old =
    'openid profile offline_access User.Read User.ReadBasic.All RoleManagement.Read.Directory';
  const { token } = await tokenWith(old);
  const admins = await globalAdmins(token);
  const megan = admins.body.value.find(
    (a: { principalId: string }) => a.principalId === IDS.users.meganContoso,
  );
  table.record(
    'User.ReadBasic.All: otherMails of a GA',
    'absent',
    String(megan.principal.otherMails),
  );
  expect(megan.principal.otherMails).toBeUndefined();
  expect(megan.principal.userPrincipalName).toBe('megan@contoso.onmicrosoft.com');
  const refused = await invite(token);
  table.record('no User.Invite.All: invite', '403', refused.status);
  expect([refused.status, refused.body.error.code]).toEqual([403, 'Authorization_RequestDenied']);
});

it.each([
  ['roleAssignments without RoleManagement.Read.Directory', 'openid User.Read', 'roleAssignments'],
  ['users without User.ReadBasic.All', 'openid User.Read', 'users'],
  ['subscribedSkus without LicenseAssignment.Read.All', 'openid User.Read User.Read.All', 'skus'],
])('refuses %s with 403 Authorization_RequestDenied', async (name, scope, what) => {
  const { token } = await tokenWith(scope);
  const path =
    what === 'roleAssignments'
      ? `/graph/v1.0/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${GA}'`
      : what === 'users'
        ? '/graph/v1.0/users'
        : '/graph/v1.0/subscribedSkus';
  const res = await http.call('GET', path, { token });
  table.record(name, '403', res.status);
  expect([res.status, res.body.error.code]).toEqual([403, 'Authorization_RequestDenied']);
});

it('puts exactly the asked permissions in the token and refuses one never consented', async () => {
  const asked = await tokenWith('openid offline_access https://graph.microsoft.com/User.Read');
  const scp = JSON.parse(Buffer.from(asked.token.split('.')[1]!, 'base64url').toString()).scp;
  expect(scp).toBe('User.Read');
  const refused = await tokenWith('openid Directory.ReadWrite.All');
  table.record('unconsented Directory.ReadWrite.All', 'AADSTS65001', refused.status);
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.body)).toMatch(/AADSTS65001/);
});
