import type { Storage } from 'botbuilder';
import type { ApprovalPolicy } from '../domain/approval';
import { updateItem } from './createOnly';

/**
 * Each Office 365 tenant's approval policy (issue 29), stored with the tenant's records under
 * `policies/approval/<tenant id>` and written with eTag checks (src/state/createOnly.ts), so two
 * Global Administrators changing it at once cannot both win. Every change is audited in the same
 * item: who, when, the policy before and after.
 */

/** One audited change of the policy. */
export interface PolicyChange {
  /** ISO time. */
  readonly at: string;
  /** Teams user id and name of the Global Administrator who changed it. */
  readonly by: string;
  readonly byName: string;
  /** The policy before (null: off). */
  readonly old: ApprovalPolicy | null;
  /** The policy after (null: off). */
  readonly new: ApprovalPolicy | null;
}

/** A tenant's stored policy and its audit trail. */
export interface TenantPolicy {
  readonly tenantId: string;
  /** The policy in force (null: off, the default). */
  readonly policy: ApprovalPolicy | null;
  /** Every change, oldest first (the last {@link POLICY_AUDIT_LIMIT} kept). */
  readonly changes: readonly PolicyChange[];
}

/** How many changes of a tenant's policy the audit keeps. */
export const POLICY_AUDIT_LIMIT = 200;

const key = (tenantId: string): string => `policies/approval/${tenantId.toLowerCase()}`;

/** Reads and writes approval policies. */
export class ApprovalPolicyStore {
  /**
   * @param storage the bot's storage (shared by all instances)
   * @param now clock (epoch ms)
   */
  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {}

  /** The tenant's policy, or null when it has none (off). */
  async get(tenantId: string): Promise<ApprovalPolicy | null> {
    return (await this.read(tenantId)).policy;
  }

  /** The tenant's policy with its audit trail (an empty trail when it was never set). */
  async read(tenantId: string): Promise<TenantPolicy> {
    const k = key(tenantId);
    const item = (await this.storage.read([k]))[k] as TenantPolicy | undefined;
    return {
      tenantId,
      policy: item?.policy ?? null,
      changes: item?.changes ?? [],
    };
  }

  /**
   * Sets (or, with null, turns off) the tenant's policy and audits the change; setting the same
   * policy again writes nothing.
   * @param by Teams user id and name of who changes it (the caller checked Global Administrator)
   * @returns whether it changed
   * @throws Error when the item keeps changing under us (5 eTag conflicts), or from storage
   */
  async set(
    tenantId: string,
    policy: ApprovalPolicy | null,
    by: { readonly id: string; readonly name: string },
  ): Promise<boolean> {
    const { written } = await updateItem<TenantPolicy>(
      this.storage,
      key(tenantId),
      (current) => {
        const old = current?.policy ?? null;
        if (JSON.stringify(old) === JSON.stringify(policy)) return undefined;
        const change: PolicyChange = {
          at: new Date(this.now()).toISOString(),
          by: by.id,
          byName: by.name,
          old,
          new: policy,
        };
        return {
          tenantId,
          policy,
          changes: [...(current?.changes ?? []), change].slice(-POLICY_AUDIT_LIMIT),
        };
      },
      `the approval policy of ${tenantId}`,
    );
    return written;
  }
}
