import type { Inventory } from '../domain/inventory';
import type { CustomRoleDefinition } from '../domain/model';
import type { RestoreAction } from '../domain/restorePlan';
import type { RestoreResult } from '../domain/restorePlan';
import { updateItem } from './createOnly';
import type { Storage, StoreItem } from 'botbuilder';
import type { BackedUpAssignment } from '../domain/model';

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
  /** Waiting for the approvals of the tenant's policy (issue 29). */
  | 'awaitingApproval'
  /** Approved: the move may be requested. */
  | 'approved'
  /** An approver rejected it: the link ended with nothing changed. */
  | 'rejected'
  /** The approvals did not come in time: the link ended with nothing changed. */
  | 'expired'
  | 'moveRequested'
  | 'guided'
  | 'moveAccepted'
  | 'verified'
  | 'accessGranted'
  | 'notified'
  | 'cancelled'
  /** Stopped before the confirm card: a resource Microsoft says cannot change directory. */
  | 'blocked'
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
  /**
   * Display name of the directory the subscription trusted before the link (ARM Tenants - List
   * `displayName`, as tenant discovery found it), when known. Absent in records written before
   * it was kept, or when the Azure account did not see the directory's name.
   */
  readonly sourceTenantName?: string;
  /**
   * Display name of the Office 365 directory (Graph `organization` `displayName`), when known;
   * absent in records written before it was kept.
   */
  readonly destinationTenantName?: string;
  status: ChangeStatus;
  backup: BackedUpAssignment[];
  audit: AuditEntry[];
  readonly createdAt: string;
  updatedAt: string;
  /**
   * What can happen to each removed assignment after the link (restore to the same person,
   * invite, or not carried and why), by assignment id; see src/domain/restorePlan.ts.
   */
  restorePlan?: { readonly assignmentId: string; readonly action: RestoreAction }[];
  /** The subscription's custom roles, which the move deletes (re-created by the restore). */
  customRoles?: CustomRoleDefinition[];
  /** What the move does to the subscription's resources (Azure Resource Graph), grouped. */
  inventory?: Inventory;
  /**
   * The after-move checklist's full card, kept when it was posted to a group chat or channel as a
   * read-only base card: the initiator's Teams client asks for it with a refresh.
   */
  checklist?: { readonly cardId: string; readonly card: Record<string, unknown> };
  /** The error code when the inventory could not be read (the admin checked by hand). */
  inventoryError?: string;
  /**
   * What the restore did with each removed assignment (src/link/restore.ts), once it ran; by
   * assignment id (scope, role and holder are in `backup`), so that large records stay small.
   */
  restoreReport?: Pick<
    RestoreResult,
    'assignmentId' | 'outcome' | 'reason' | 'errorCode' | 'correlationId'
  >[];
  /** How many team channels were told the link is complete (set once, when they are). */
  notifiedChannels?: number;
  /**
   * The turn that is telling the channels (so that the same click handled on two instances
   * tells them once): its claim id and ISO time; a claim older than {@link NOTIFY_CLAIM_TTL_MS}
   * whose turn never finished may be taken over.
   */
  notifyClaim?: { readonly id: string; readonly at: string };
}

/** How long a claim to notify the channels holds without the notification being recorded (ms). */
export const NOTIFY_CLAIM_TTL_MS = 120_000;

/** What {@link ChangeRecordStore.claimNotification} found. */
export type NotificationClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'done'; readonly channels: number }
  | { readonly kind: 'busy' };

type Stored = ChangeRecord & StoreItem;

const key = (flowId: string): string => `changes/${flowId}`;

/** Storage key of the list of flow ids, oldest first. */
const INDEX_KEY = 'changes/index';
/** How many flows the index keeps. */
const INDEX_LIMIT = 500;

interface ChangeIndex extends StoreItem {
  flowIds: string[];
}

/** Reads and writes change records. */
export class ChangeRecordStore {
  constructor(private readonly storage: Storage) {}

  /** The record, or undefined. */
  async get(flowId: string): Promise<ChangeRecord | undefined> {
    const items = await this.storage.read([key(flowId)]);
    return items[key(flowId)] as Stored | undefined;
  }

  /**
   * Claims the right to tell the team channels that the link is complete, once per flow across
   * turns and instances (an eTag-checked write: of two claimers, one wins).
   * @param claimId this turn's id (a fresh UUID)
   * @returns `claimed` (notify, then {@link update} `notified`), `done` (already told, with the
   *   count), or `busy` (another turn is telling them now)
   * @throws Error when there is no record or it keeps changing
   */
  async claimNotification(flowId: string, claimId: string): Promise<NotificationClaim> {
    const now = Date.now();
    const record = await this.update(flowId, (r) => {
      if (r.status === 'notified') return false;
      const held = r.notifyClaim && now - Date.parse(r.notifyClaim.at) < NOTIFY_CLAIM_TTL_MS;
      if (held) return false;
      r.notifyClaim = { id: claimId, at: new Date(now).toISOString() };
    });
    if (record.status === 'notified')
      return { kind: 'done', channels: record.notifiedChannels ?? 0 };
    return record.notifyClaim?.id === claimId ? { kind: 'claimed' } : { kind: 'busy' };
  }

  /**
   * Applies `change` to the current record and writes it with the eTag that was read, retrying a
   * few times when another writer won in between. A `change` that returns false writes nothing.
   * @param create the record to start from when none exists yet
   * @throws Error when the record keeps changing under us (more than 5 conflicts)
   */
  async update(
    flowId: string,
    change: (r: ChangeRecord) => void | false,
    create?: () => ChangeRecord,
  ): Promise<ChangeRecord> {
    let created = false;
    const { written, item } = await updateItem<Stored>(
      this.storage,
      key(flowId),
      (current) => {
        // A new record is written create-only, so two creators cannot both win.
        const record: Stored | undefined = current ? { ...current } : create?.();
        if (!record) throw new Error(`no change record ${flowId}`);
        if (change(record) === false && current) return undefined;
        record.updatedAt = new Date().toISOString();
        created = !current;
        return record;
      },
      `change record ${flowId}`,
    );
    if (written && created) await this.addToIndex(flowId);
    return item!;
  }

  /**
   * The most recent records of links into one directory (the conversation's tenant), newest first.
   * @param tenantId only records whose destination is this directory
   * @param limit how many at most
   */
  async recent(tenantId: string, limit: number): Promise<ChangeRecord[]> {
    const index = (await this.storage.read([INDEX_KEY]))[INDEX_KEY] as ChangeIndex | undefined;
    const flowIds = [...(index?.flowIds ?? [])].reverse();
    const records: ChangeRecord[] = [];
    for (let i = 0; i < flowIds.length && records.length < limit; i += 20) {
      const keys = flowIds.slice(i, i + 20).map(key);
      const items = await this.storage.read(keys);
      for (const k of keys) {
        const r = items[k] as Stored | undefined;
        if (r && r.destinationTenantId === tenantId && records.length < limit) {
          const record: Partial<Stored> = { ...r };
          delete record.eTag;
          records.push(record as ChangeRecord);
        }
      }
    }
    return records;
  }

  /** Adds a new flow to the index of records (the last {@link INDEX_LIMIT} are kept). */
  private async addToIndex(flowId: string): Promise<void> {
    await updateItem<ChangeIndex>(
      this.storage,
      INDEX_KEY,
      (current) => ({ flowIds: [...(current?.flowIds ?? []), flowId].slice(-INDEX_LIMIT) }),
      'the index of change records',
    );
  }

  /** Appends an audit entry. */
  async audit(flowId: string, entry: Omit<AuditEntry, 'at'>): Promise<void> {
    await this.update(flowId, (r) => {
      r.audit = [...r.audit, { ...entry, at: new Date().toISOString() }];
    });
  }
}
