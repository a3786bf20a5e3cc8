import { consentedGraphPermissions } from '../../auth/permissions';
import { RESOURCE_SCOPES } from '../../auth/signIn';
import { createGraphClient } from '../../graph/graphClient';
import { fail, pass, reasonOf, skip } from '../findings';
import type { Check } from '../types';

/**
 * Admin consent is granted: the OAuth connections' app (`SSO_APP_ID`) has, in the bot's tenant, a
 * delegated permission grant for all users (`consentType` `AllPrincipals`) to Microsoft Graph
 * covering every Graph permission a connection asks for (src/auth/permissions.ts
 * `consentedGraphPermissions`), and to Azure Service Management for `user_impersonation`.
 * Read with the operator's credential (DefaultAzureCredential: `azd auth login` / `az login`):
 * `GET /servicePrincipals(appId='{appId}')` ("Get servicePrincipal",
 * https://learn.microsoft.com/graph/api/serviceprincipal-get), then
 * `GET /oauth2PermissionGrants?$filter=clientId eq '{id}'` ("List oauth2PermissionGrants",
 * https://learn.microsoft.com/graph/api/oauth2permissiongrant-list; `scope` is space-separated,
 * https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant). Without an operator
 * sign-in the check says "not checked". The fix is the admin consent URL
 * ("Grant tenant-wide admin consent to an application",
 * https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent).
 */

/** Application ids of the resources the connections ask for (first-party, the same everywhere). */
const RESOURCES = {
  graph: '00000003-0000-0000-c000-000000000000',
  /** Windows Azure Service Management API (ARM's `user_impersonation`). */
  arm: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
} as const;

interface Grant {
  readonly clientId: string;
  readonly consentType: string;
  readonly resourceId: string;
  readonly scope: string;
}

/** The consent finding (see above): not checked in local mode or without an operator sign-in. */
export const consentCheck: Check = async (ctx) => {
  const { t, config, deployment } = ctx;
  if (config.mode === 'local') return [skip('consent', t('doctor.skip.consentLocal'))];
  const appId = deployment.ssoAppId;
  if (!appId) return [skip('consent', t('doctor.skip.consentNoApp'))];
  if (!ctx.operator) return [skip('consent', t('doctor.reason.noOperator'))];
  try {
    await ctx.operator.getToken(RESOURCE_SCOPES.graph);
  } catch {
    return [skip('consent', t('doctor.reason.noOperator'))];
  }
  try {
    const graph = createGraphClient(ctx.operator, {
      ...ctx.http,
      baseUrl: ctx.endpoints.graphBaseUrl,
      scopes: [RESOURCE_SCOPES.graph],
    });
    const spId = async (id: string): Promise<string> =>
      ((await graph.api(`/servicePrincipals(appId='${id}')`).select('id').get()) as { id: string })
        .id;
    const client = await spId(appId);
    const grants = (
      (await graph.api('/oauth2PermissionGrants').filter(`clientId eq '${client}'`).get()) as {
        value: Grant[];
      }
    ).value.filter((g) => g.consentType === 'AllPrincipals');
    const granted = async (resourceAppId: string): Promise<Set<string>> => {
      const resource = await spId(resourceAppId);
      return new Set(
        grants
          .filter((g) => g.resourceId === resource)
          .flatMap((g) => g.scope.split(/\s+/).map((s) => s.toLowerCase())),
      );
    };
    const graphGranted = await granted(RESOURCES.graph);
    const armGranted = await granted(RESOURCES.arm);
    const missing = [
      ...consentedGraphPermissions().filter((p) => !graphGranted.has(p.toLowerCase())),
      ...(armGranted.has('user_impersonation') ? [] : ['user_impersonation (Azure)']),
    ];
    if (missing.length === 0) return [pass('consent', t('doctor.pass.consent', { appId }))];
    const url = `${ctx.endpoints.authorityHost}/${config.bot.tenantId || 'organizations'}/adminconsent?client_id=${appId}`;
    return [
      fail(
        'consent',
        'doctorConsent',
        t('doctor.fail.consent', { appId, missing: missing.join(' ') }),
        t('doctor.fix.consent', { appId, url }),
      ),
    ];
  } catch (err) {
    return [
      fail(
        'consent',
        'doctorCheckFailed',
        t('doctor.fail.checkFailed', { check: 'admin consent', reason: reasonOf(err) }),
        t('doctor.fix.checkFailed'),
      ),
    ];
  }
};
