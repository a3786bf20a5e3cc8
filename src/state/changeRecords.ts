import type { Storage, StoreItem } from 'botbuilder';
import type { BackedUpAssignment } from '../link/impact';

/**
 * Change records: one per link, with the backup of the role assignments that the move removes
 * and an audit trail of every call that changed something. Written through a botbuilder Storage
 * with eTag checks, so two writers cannot both win.
 */

/** Where a link stands. */
export type ChangeStatus =
  | 'requested'
  | 'impactReviewed'
  | 'confirmed'
  | 'moveRequested'
  | 'guided'
  | 'moveAccepted'
  | 'verified'
  | 'accessGranted'
  | 'notified'
  | 'cancelled'
  | 'failed';

/** One audited write. */
export interface AuditEntry {
  /** ISO time. */
  readonly at: string;
  /** Teams user id of who caused it. */
  readonly by: string;
  /** What, e.g. `changeTenantRequest`, `acceptChangeTenant`, `roleAssignment`. */
  readonly action: string;
  readonly target: string;
  readonly outcome: 'ok' | 'refused' | 'failed';
  readonly correlationId?: string;
  readonly code?: string;
}

/** The record of one link. */
export interface ChangeRecord {
  readonly flowId: string;
  readonly initiatorId: string;
  readonly initiatorName: string;
  readonly subscriptionId: string;
  readonly subscriptionName: string;
  readonly sourceTenantId: string;
  readonly destinationTenantId: string;
  status: ChangeStatus;
  backup: BackedUpAssignment[];
  audit: AuditEntry[];
  readonly createdAt: string;
  updatedAt: string;
}

type Stored = ChangeRecord & StoreItem;

const key = (flowId: string): string => `changes/${flowId}`;

/** Reads and writes change records. */
export class ChangeRecordStore {
  constructor(private readonly storage: Storage) {}

  /** The record, or undefined. */
  async get(flowId: string): Promise<ChangeRecord | undefined> {
    const items = await this.storage.read([key(flowId)]);
    return items[key(flowId)] as Stored | undefined;
  }

  /**
   * Applies `change` to the current record and writes it with the eTag that was read, retrying a
   * few times when another writer won in between.
   * @param create the record to start from when none exists yet
   * @throws Error when the record keeps changing under us (more than 5 conflicts)
   */
  async update(
    flowId: string,
    change: (r: ChangeRecord) => void,
    create?: () => ChangeRecord,
  ): Promise<ChangeRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const items = await this.storage.read([key(flowId)]);
      const current = items[key(flowId)] as Stored | undefined;
      const record: Stored | undefined = current
        ? { ...current }
        : create
          ? { ...create(), eTag: '*' }
          : undefined;
      if (!record) throw new Error(`no change record ${flowId}`);
      change(record);
      record.updatedAt = new Date().toISOString();
      try {
        await this.storage.write({ [key(flowId)]: record });
        return record;
      } catch (err) {
        if (!/etag|precondition|conflict/i.test(String((err as Error).message))) throw err;
      }
    }
    throw new Error(`change record ${flowId} kept changing`);
  }

  /** Appends an audit entry. */
  async audit(flowId: string, entry: Omit<AuditEntry, 'at'>): Promise<void> {
    await this.update(flowId, (r) => {
      r.audit = [...r.audit, { ...entry, at: new Date().toISOString() }];
    });
  }
}
