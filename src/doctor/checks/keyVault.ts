import { RESOURCE_SCOPES } from '../../auth/signIn';
import { ArmClient } from '../../azure/armClient';
import { fail, pass, reasonOf, skip } from '../findings';
import type { Check } from '../types';

/**
 * Key Vault references of the site's app settings resolve (cloud, App Service): ARM
 * `GET /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{site}/config/configreferences/appsettings?api-version=2023-12-01`
 * (operation WebApps_GetAppSettingsKeyVaultReferences of azure-rest-api-specs
 * specification/web/resource-manager/Microsoft.Web/stable/2023-12-01/WebApps.json,
 * https://learn.microsoft.com/rest/api/appservice/web-apps/get-app-settings-key-vault-references),
 * a paged list of `{ name, properties: { reference, status, details } }` where every status must be
 * `Resolved` (others: `SecretNotFound`, `VaultNotFound`, `AccessToKeyVaultDenied`, …, "Use Key
 * Vault references as app settings", Troubleshooting,
 * https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#troubleshooting-key-vault-references).
 * Read with the operator's credential; not applicable in local mode.
 */

interface Reference {
  readonly name?: string;
  readonly properties?: { readonly status?: string; readonly details?: string };
}

/** One finding per unresolved reference, or one pass (see above). */
export const keyVaultCheck: Check = async (ctx) => {
  const { t, deployment: d } = ctx;
  if (ctx.config.mode === 'local') return [skip('keyVault', t('doctor.skip.keyVaultLocal'))];
  if (!ctx.operator || !d.subscriptionId || !d.resourceGroup || !d.siteName)
    return [skip('keyVault', t('doctor.skip.keyVaultUnknown'))];
  try {
    await ctx.operator.getToken(RESOURCE_SCOPES.arm);
  } catch {
    return [skip('keyVault', t('doctor.reason.noOperator'))];
  }
  const site = d.siteName;
  try {
    const arm = new ArmClient(ctx.operator, {
      ...ctx.http,
      endpoint: ctx.endpoints.armEndpoint,
      scope: RESOURCE_SCOPES.arm,
    });
    const references = await arm.list<Reference>(
      `/subscriptions/${encodeURIComponent(d.subscriptionId)}/resourceGroups/${encodeURIComponent(d.resourceGroup)}` +
        `/providers/Microsoft.Web/sites/${encodeURIComponent(site)}/config/configreferences/appsettings?api-version=2023-12-01`,
    );
    const broken = references.filter((r) => r.properties?.status !== 'Resolved');
    if (broken.length === 0)
      return [pass('keyVault', t('doctor.pass.keyVault', { site, count: references.length }))];
    return broken.map((r) =>
      fail(
        'keyVault',
        'doctorKeyVaultReference',
        t('doctor.fail.keyVaultReference', {
          name: r.name ?? '?',
          site,
          status: r.properties?.status ?? '?',
        }),
        t('doctor.fix.keyVaultReference', { name: r.name ?? '?', site }),
      ),
    );
  } catch (err) {
    return [
      fail(
        'keyVault',
        'doctorCheckFailed',
        t('doctor.fail.checkFailed', { check: 'Key Vault references', reason: reasonOf(err) }),
        t('doctor.fix.checkFailed'),
      ),
    ];
  }
};
