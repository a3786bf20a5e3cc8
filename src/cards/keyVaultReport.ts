import type { Fact, OutcomeCardData } from './render';

/**
 * The data of the key vault report (cards/outcome.json) after the checklist's **Update the key
 * vaults** (src/link/keyVaults.ts): one fact per vault. A vault with access policies says how many
 * were carried and removed; a vault in the Azure RBAC permission model says that its tenant ID
 * changed and its access policies (ignored in that mode) did not, and how many role assignments
 * at the vault or below it the move removed and the restore gave back. When there is such a vault,
 * the card's text says where its access comes from ("Moving an Azure Key Vault to another
 * subscription", https://learn.microsoft.com/azure/key-vault/general/move-subscription: "If Key
 * Vault is using Azure RBAC permission model. You need to also remove key vault role assignments"
 * and set new ones).
 */

/**
 * One vault's outcome as the report reads it: the shape of src/link/keyVaults.ts's
 * `KeyVaultFixResult` (cards know no link procedure, so it is restated here).
 */
export interface KeyVaultReportRow {
  readonly name: string;
  readonly outcome: 'updated' | 'alreadyDone' | 'failed';
  /** `rbac`: the vault is in the Azure RBAC permission model; absent when it was not read. */
  readonly model?: 'accessPolicies' | 'rbac';
  /** Access policies carried, and old ones removed. */
  readonly policies: number;
  readonly dropped: number;
  /** RBAC mode: role assignments at the vault or below that the move removed / the restore gave back. */
  readonly roleAssignments?: { readonly removed: number; readonly givenBack: number };
  readonly errorCode?: string;
}

/** A translator of the reader's locale (src/i18n). */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** One vault's fact value. */
function outcomeText(t: Translate, r: KeyVaultReportRow): string {
  if (r.outcome === 'failed') return t('keyVaults.failed', { code: r.errorCode ?? '' });
  const done =
    r.outcome === 'alreadyDone'
      ? t('keyVaults.alreadyDone')
      : r.model === 'rbac'
        ? t('keyVaults.rbacUpdated')
        : t('keyVaults.updated', { policies: r.policies, dropped: r.dropped });
  if (r.model !== 'rbac' || !r.roleAssignments) return done;
  const { removed, givenBack } = r.roleAssignments;
  return `${done}; ${t('keyVaults.rbacAssignments', { removed, givenBack })}`;
}

/**
 * The report card's data.
 * @param t translator of the reader's locale
 * @param results the key vault job's results, one per vault
 */
export function keyVaultReportCard(
  t: Translate,
  results: readonly KeyVaultReportRow[],
): OutcomeCardData {
  const facts: Fact[] = results.map((r) => ({ title: r.name, value: outcomeText(t, r) }));
  return {
    title: t('keyVaults.title'),
    text: results.some((r) => r.model === 'rbac') ? t('keyVaults.rbacNote') : '',
    color: results.some((r) => r.outcome === 'failed') ? 'Attention' : 'Good',
    facts,
  };
}
