import type { BackedUpAssignment } from '../domain/model';
import type {
  KeyVaultAccessPolicy,
  KeyVaultPort,
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
 */

/** What happened to one vault. */
export interface KeyVaultFixResult {
  readonly id: string;
  readonly name: string;
  readonly outcome: 'updated' | 'alreadyDone' | 'failed';
  /** Access policies it has now (carried across). */
  readonly policies: number;
  /** Old policies not carried (their principal's access was not given back). */
  readonly dropped: number;
  readonly errorCode?: string;
  readonly correlationId?: string;
}

/** The restore's outcomes that mean the person holds access again in the new directory. */
const GIVEN_BACK = new Set(['restored', 'invitedRestored', 'existing']);

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
    if (!GIVEN_BACK.has(outcome.get(b.id) ?? '')) continue;
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
): Promise<KeyVaultFixResult[]> {
  const target = tenantId.toLowerCase();
  const results: KeyVaultFixResult[] = [];
  for (const row of await inventory.keyVaults(subscriptionId)) {
    try {
      const state = await vaults.get(row.id);
      const next = carried(state.accessPolicies, target, principals);
      const done =
        state.tenantId.toLowerCase() === target &&
        state.accessPolicies.every((p) => p.tenantId.toLowerCase() === target);
      if (done) {
        results.push({
          id: state.id,
          name: state.name,
          outcome: 'alreadyDone',
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
