import type { BackedUpAssignment } from '../domain/model';
import type {
  KeyVaultAccessPolicy,
  KeyVaultPort,
  KeyVaultState,
  Office365DirectoryPort,
  ResourceInventoryPort,
} from '../domain/ports';
import type { RestoreAction } from '../domain/restorePlan';
import { asTenantlinkError } from '../errors';

/**
 * After the move, the key vaults of the subscription still authenticate against the old directory:
 * Microsoft asks to "update the tenant ID associated with all existing key vaults in the
 * subscription to the target directory", "remove all existing access policy entries" and "add new
 * access policy entries associated with the target directory"
 * (https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription#update-key-vaults).
 * This does it for every vault Resource Graph lists, as the Office 365 admin (now Owner): the new
 * tenant ID, and the old policies carried to the people whose access was given back (the same
 * permissions, for their account in the new directory); a policy of anyone else is dropped and
 * counted. Idempotent: a vault already on the new directory with only its policies is left alone.
 *
 * A vault in the Azure RBAC permission model (`enableRbacAuthorization`) ignores its access
 * policies (keyvault.json 2023-07-01 `VaultProperties`, see src/azure/keyVaults.ts): its access is
 * by role assignments at the vault or below it (its keys, secrets, certificates), which "are also
 * tied to this tenant ID"; "If Key Vault is using Azure RBAC permission model. You need to also
 * remove key vault role assignments", then "set new access policy entries or role assignments"
 * ("Moving an Azure Key Vault to another subscription",
 * https://learn.microsoft.com/azure/key-vault/general/move-subscription; read from
 * MicrosoftDocs/azure-docs articles/key-vault/general/move-subscription.md at commit
 * 30a8d80d86e388d9230a5e73f9da8c6cbcf9cbc0). The move has already deleted them with every role
 * assignment of the subscription, at every scope (transfer-subscription, above), so they are in
 * the change record's backup and restore plan with the others: the restore re-creates them at the
 * vault's scope for the people it carries (src/link/restore.ts), once. For such a vault this step
 * only changes the tenant ID (its policies are not written), and reports its role assignments
 * from the backup and the restore report ({@link vaultAssignments}), without granting them again.
 */

/** How a vault authorizes data actions (`enableRbacAuthorization`). */
export type KeyVaultModel = 'accessPolicies' | 'rbac';

/** The role assignments at an RBAC-mode vault (or below it) that the move removed. */
export interface VaultRoleAssignments {
  /** In the change record's backup: removed by the move. */
  readonly removed: number;
  /** Of those, given back by the restore (restored, invited and restored, or already there). */
  readonly givenBack: number;
}

/** What happened to one vault. */
export interface KeyVaultFixResult {
  readonly id: string;
  readonly name: string;
  readonly outcome: 'updated' | 'alreadyDone' | 'failed';
  /** Its permission model, as read (absent when the vault could not be read). */
  readonly model?: KeyVaultModel;
  /** Access policies it has now (carried across); 0 for an RBAC-mode vault (not written). */
  readonly policies: number;
  /** Old policies not carried (their principal's access was not given back); 0 for RBAC mode. */
  readonly dropped: number;
  /** An RBAC-mode vault's role assignments, from the backup and the restore report. */
  readonly roleAssignments?: VaultRoleAssignments;
  readonly errorCode?: string;
  readonly correlationId?: string;
}

/** A removed role assignment as this step needs it: its scope, and whether it was given back. */
export interface RemovedAssignment {
  readonly scope: string;
  readonly givenBack: boolean;
}

/** The restore's outcomes that mean the person holds access again in the new directory. */
const GIVEN_BACK: ReadonlySet<string | undefined> = new Set([
  'restored',
  'invitedRestored',
  'existing',
]);

/**
 * Old directory object id → new directory object id, for each principal whose access the restore
 * gave back: directly for a restored account, through the guest's email for an invitation.
 * @param report the restore report's outcomes by assignment id (none when no restore ran)
 */
export async function principalsGivenBack(
  backup: readonly BackedUpAssignment[],
  plan: readonly { assignmentId: string; action: RestoreAction }[],
  report: readonly { assignmentId: string; outcome: string }[],
  directory: Office365DirectoryPort,
): Promise<Map<string, string>> {
  const outcome = new Map(report.map((r) => [r.assignmentId, r.outcome]));
  const action = new Map(plan.map((p) => [p.assignmentId, p.action]));
  const map = new Map<string, string>();
  const byEmail = new Map<string, string>();
  for (const b of backup) {
    if (!GIVEN_BACK.has(outcome.get(b.id))) continue;
    const a = action.get(b.id);
    if (a?.kind === 'restore') map.set(b.principalId, a.principalId);
    else if (a?.kind === 'invite') byEmail.set(a.email.toLowerCase(), b.principalId);
  }
  if (byEmail.size > 0) {
    for (const user of await directory.usersWithEmails([...byEmail.keys()])) {
      for (const email of [user.mail, user.userPrincipalName, ...(user.otherMails ?? [])]) {
        const old = email ? byEmail.get(email.toLowerCase()) : undefined;
        if (old) map.set(old, user.id);
      }
    }
  }
  return map;
}

/**
 * Every role assignment the move removed (the change record's backup, which holds those of the
 * subscription at every scope), with whether the restore gave it back.
 * @param report the restore report's outcomes by assignment id (none when no restore ran)
 */
export function removedAssignments(
  backup: readonly BackedUpAssignment[],
  report: readonly { assignmentId: string; outcome: string }[],
): RemovedAssignment[] {
  const outcome = new Map(report.map((r) => [r.assignmentId, r.outcome]));
  return backup.map((b) => ({
    scope: b.scope,
    givenBack: GIVEN_BACK.has(outcome.get(b.id)),
  }));
}

/**
 * The removed role assignments at a vault: at its scope or below it (a key, secret or
 * certificate, `{vaultId}/secrets/{name}`); ARM scopes compare case-insensitively.
 */
export function vaultAssignments(
  vaultId: string,
  removed: readonly RemovedAssignment[],
): VaultRoleAssignments {
  const id = vaultId.toLowerCase();
  const at = removed.filter((a) => {
    const scope = a.scope.toLowerCase();
    return scope === id || scope.startsWith(`${id}/`);
  });
  return { removed: at.length, givenBack: at.filter((a) => a.givenBack).length };
}

/** The vault's policies for the new directory: carried to the principals given back, merged. */
function carried(
  policies: readonly KeyVaultAccessPolicy[],
  tenantId: string,
  principals: ReadonlyMap<string, string>,
): { policies: KeyVaultAccessPolicy[]; dropped: number } {
  const merged = new Map<string, KeyVaultAccessPolicy>();
  let dropped = 0;
  for (const p of policies) {
    const objectId =
      p.tenantId.toLowerCase() === tenantId ? p.objectId : principals.get(p.objectId);
    if (!objectId) {
      dropped++;
      continue;
    }
    const before = merged.get(objectId);
    const union = (k: keyof KeyVaultAccessPolicy['permissions']): string[] => [
      ...new Set([...(before?.permissions[k] ?? []), ...(p.permissions[k] ?? [])]),
    ];
    merged.set(objectId, {
      tenantId,
      objectId,
      permissions: {
        keys: union('keys'),
        secrets: union('secrets'),
        certificates: union('certificates'),
        storage: union('storage'),
      },
    });
  }
  return { policies: [...merged.values()], dropped };
}

/**
 * Updates every key vault of the subscription to the new directory (see the module comment).
 * @param tenantId the new directory (lower-case GUID)
 * @param principals old directory object id → new one, for the access policies
 *   ({@link principalsGivenBack})
 * @param removed the role assignments the move removed ({@link removedAssignments}), for the
 *   report of RBAC-mode vaults
 * @returns one result per vault, in Resource Graph's order; a vault that failed does not stop the
 *   others
 * @throws TenantlinkError when the vaults cannot be listed
 */
export async function fixKeyVaults(
  inventory: ResourceInventoryPort,
  vaults: KeyVaultPort,
  subscriptionId: string,
  tenantId: string,
  principals: ReadonlyMap<string, string>,
  removed: readonly RemovedAssignment[] = [],
): Promise<KeyVaultFixResult[]> {
  const target = tenantId.toLowerCase();
  const results: KeyVaultFixResult[] = [];
  for (const row of await inventory.keyVaults(subscriptionId)) {
    try {
      const state = await vaults.get(row.id);
      if (state.rbacAuthorization) {
        results.push(await fixRbacVault(vaults, state, target, removed));
        continue;
      }
      const next = carried(state.accessPolicies, target, principals);
      const done =
        state.tenantId.toLowerCase() === target &&
        state.accessPolicies.every((p) => p.tenantId.toLowerCase() === target);
      if (done) {
        results.push({
          id: state.id,
          name: state.name,
          outcome: 'alreadyDone',
          model: 'accessPolicies',
          policies: state.accessPolicies.length,
          dropped: 0,
        });
        continue;
      }
      const { correlationId } = await vaults.update(state.id, target, next.policies);
      results.push({
        id: state.id,
        name: state.name,
        outcome: 'updated',
        model: 'accessPolicies',
        policies: next.policies.length,
        dropped: next.dropped,
        ...(correlationId ? { correlationId } : {}),
      });
    } catch (err) {
      const e = asTenantlinkError(err);
      results.push({
        id: row.id,
        name: row.name,
        outcome: 'failed',
        policies: 0,
        dropped: 0,
        errorCode: e.code,
        ...(e.correlationId ? { correlationId: e.correlationId } : {}),
      });
    }
  }
  return results;
}

/**
 * An RBAC-mode vault: its tenant ID only (its access policies are ignored and left as they are),
 * and its role assignments as the backup and the restore report count them.
 * @throws TenantlinkError from ARM
 */
async function fixRbacVault(
  vaults: KeyVaultPort,
  state: KeyVaultState,
  target: string,
  removed: readonly RemovedAssignment[],
): Promise<KeyVaultFixResult> {
  const common = {
    id: state.id,
    name: state.name,
    model: 'rbac' as const,
    policies: 0,
    dropped: 0,
    roleAssignments: vaultAssignments(state.id, removed),
  };
  if (state.tenantId.toLowerCase() === target) return { ...common, outcome: 'alreadyDone' };
  const { correlationId } = await vaults.update(state.id, target, undefined);
  return { ...common, outcome: 'updated', ...(correlationId ? { correlationId } : {}) };
}
