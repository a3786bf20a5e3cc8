import { setTimeout as pause } from 'node:timers/promises';
import { v4 as uuidv4 } from 'uuid';
import type { Logger } from 'pino';
import type { SignInKind, TokenSource } from '../auth/signIn';
import type {
  AzureManagementPort,
  KeyVaultPort,
  Office365DirectoryPort,
  ResourceInventoryPort,
} from '../domain/ports';
import { asTenantlinkError, type TenantlinkError } from '../errors';
import type {
  AuditEntry,
  ChangeRecord,
  ChangeRecordStore,
  ChangeStatus,
} from '../state/changeRecords';
import type { SubscriptionLock, SubscriptionLockStore } from '../state/subscriptionLocks';
import { isInDirectory, waitForDirectory } from './move';
import type { PropagationWait } from './move';
import type { ChannelNotifier, CloudClients } from './ports';

/**
 * The link procedure's shared part, with no bot framework in it: the clouds as one of the two
 * signed-in accounts, and the change record with its audit trail. The long steps of the seeds
 * (the impact review, the directory change, the grant and restore, the key vault update) are
 * jobs of their own modules (impactJob.ts, moveJob.ts, accessJob.ts, keyVaultJob.ts) that take a
 * typed stage and this procedure, and return a JSON-safe outcome. The dialogs run them as leased
 * background jobs and show their outcomes on cards.
 */

/** What every stage of a flow carries: the flow, who started it, and its subscription. */
export interface FlowRef {
  readonly flowId: string;
  /** The Teams user id of the initiator (the audit trail's `by`). */
  readonly initiatorId: string;
  readonly subscriptionId: string;
}

/** What the procedure needs, wired by the composition root. */
export interface LinkProcedureDeps {
  readonly tokens: TokenSource;
  readonly clients: CloudClients;
  readonly changes: ChangeRecordStore;
  /** How long the move waits for the new directory to show the subscription. */
  readonly propagation: PropagationWait;
  /** Posts the link's notice to the team channels of the Office 365 tenant. */
  readonly notifier: ChannelNotifier;
  /** One link per subscription at a time. */
  readonly locks: SubscriptionLockStore;
  /**
   * Waits `ms` milliseconds between two looks at the change record while another run holds the
   * notice ({@link LinkProcedure.notifyOnce}); absent: the real timer (a test passes its own to
   * drive the 10 s wait without sleeping through it).
   */
  readonly pause?: (ms: number) => Promise<unknown>;
}

/** How long {@link LinkProcedure.notifyOnce} waits for another run's notice to be recorded, in ms. */
const NOTICE_WAIT_MS = 10_000;
/** Pause between two looks at the record while another run holds the notice, in ms. */
const NOTICE_POLL_MS = 200;

/**
 * The clouds and the change record of the link, for a Teams user's two sign-ins. The jobs reach
 * the clouds, the record, the lock and the notifier only through these methods (its dependencies
 * stay private: issue 28).
 */
export class LinkProcedure {
  /**
   * @param deps token source, cloud clients, change records, propagation wait
   * @param log the link's logger (never given a token)
   */
  constructor(
    private readonly deps: LinkProcedureDeps,
    readonly log: Logger,
  ) {}

  /** ARM as one of the user's signed-in accounts (tokens fetched on demand, never stored). */
  azure(userId: string, kind: SignInKind): AzureManagementPort {
    return this.deps.clients.azure(this.deps.tokens.credential(userId, kind, 'arm'));
  }

  /** Microsoft Graph as one of the user's signed-in accounts. */
  directory(userId: string, kind: SignInKind): Office365DirectoryPort {
    return this.deps.clients.directory(this.deps.tokens.credential(userId, kind, 'graph'));
  }

  /** Azure Resource Graph (the inventory) as one of the user's signed-in accounts. */
  inventory(userId: string, kind: SignInKind): ResourceInventoryPort {
    return this.deps.clients.inventory(this.deps.tokens.credential(userId, kind, 'arm'));
  }

  /** Key vaults through ARM as one of the user's signed-in accounts. */
  keyVaults(userId: string, kind: SignInKind): KeyVaultPort {
    return this.deps.clients.keyVaults(this.deps.tokens.credential(userId, kind, 'arm'));
  }

  /**
   * Waits, with the configured propagation wait, for the subscription to show in `tenantId`'s
   * directory (src/link/move.ts `waitForDirectory`).
   * @param target ARM as an account of that directory
   * @returns whether it showed before the wait ran out
   * @throws TenantlinkError from ARM other than a transient one or "not there"
   */
  waitForDirectory(
    target: AzureManagementPort,
    subscriptionId: string,
    tenantId: string,
  ): Promise<boolean> {
    return waitForDirectory(target, subscriptionId, tenantId, this.deps.propagation);
  }

  /**
   * The flow's change record, if it has one (a flow before the impact review has none).
   * @throws Error from storage
   */
  changeRecord(flowId: string): Promise<ChangeRecord | undefined> {
    return this.deps.changes.get(flowId);
  }

  /**
   * Changes the flow's change record (optimistic concurrency: `change` may run again on a
   * conflict, so it only mutates the record it is given; src/state/changeRecords.ts).
   * @param create the new record, when the flow has none yet (absent: none is an error)
   * @returns the record as written
   * @throws Error when there is no record and no `create`, when it keeps changing under us, or
   *   from storage
   */
  updateRecord(
    flowId: string,
    change: (r: ChangeRecord) => void | false,
    create?: () => ChangeRecord,
  ): Promise<ChangeRecord> {
    return this.deps.changes.update(flowId, change, create);
  }

  /**
   * Takes the subscription's lock for the flow: one link per subscription at a time (a lock left
   * by a flow that never ended expires, src/state/subscriptionLocks.ts).
   * @returns `{ acquired: true }`, or who holds it
   * @throws Error from storage
   */
  lock(
    flow: FlowRef & { readonly initiatorName: string },
  ): Promise<{ acquired: true } | { acquired: false; holder: SubscriptionLock }> {
    return this.deps.locks.acquire({
      subscriptionId: flow.subscriptionId,
      flowId: flow.flowId,
      holderId: flow.initiatorId,
      holderName: flow.initiatorName,
    });
  }

  /** Releases the subscription's lock if the flow holds it (a no-op otherwise). */
  async unlock(flow: Pick<FlowRef, 'flowId' | 'subscriptionId'>): Promise<void> {
    await this.deps.locks.release(flow.subscriptionId, flow.flowId);
  }

  /**
   * Moves the flow's change record to `status`, if it has one (a flow that ends before the impact
   * review has none).
   * @throws Error from storage
   */
  async setStatus(flowId: string, status: ChangeStatus): Promise<void> {
    if (await this.deps.changes.get(flowId))
      await this.deps.changes.update(flowId, (r) => void (r.status = status));
  }

  /**
   * Verifies the move: the subscription answers in the Office 365 directory to its admin. Records
   * `verified`, or `failed` when it does not.
   * @param userId the Teams user whose Office 365 sign-in looks
   * @returns whether it answers there
   * @throws TenantlinkError from ARM other than "not there"
   */
  async verify(userId: string, flow: FlowRef, tenantId: string): Promise<boolean> {
    const there = await isInDirectory(
      this.azure(userId, 'office365'),
      flow.subscriptionId,
      tenantId,
    );
    await this.setStatus(flow.flowId, there ? 'verified' : 'failed');
    return there;
  }

  /**
   * Moves the change record to `status` and appends an audit entry (when: now).
   * @param by the initiator's Teams user id
   * @throws Error when the record keeps changing under us, or from storage
   */
  async record(
    flowId: string,
    by: string,
    status: ChangeStatus,
    entry: Omit<AuditEntry, 'at' | 'by'>,
  ): Promise<void> {
    await this.deps.changes.update(flowId, (r) => {
      r.status = status;
      r.audit = [...r.audit, { ...entry, at: new Date().toISOString(), by }];
    });
  }

  /**
   * Records that Azure refused the directory change by API (the flow goes the guided way).
   * @param stage where it was refused: the request (changeTenantRequest) or the acceptance
   */
  async recordRefusal(
    flow: FlowRef,
    error: TenantlinkError,
    stage: 'request' | 'accept',
  ): Promise<void> {
    // Stryker disable ObjectLiteral,StringLiteral: a log line, for operators: no test reads logs (test/mutation/EQUIVALENT.md)
    this.log.warn(
      {
        code: error.code,
        serviceCode: error.serviceCode,
        correlationId: error.correlationId,
        flowId: flow.flowId,
        stage,
      },
      'directory change refused: guided path',
    );
    // Stryker restore ObjectLiteral,StringLiteral
    await this.record(flow.flowId, flow.initiatorId, 'guided', {
      action: stage === 'request' ? 'changeTenantRequest' : 'acceptChangeTenant',
      target: flow.subscriptionId,
      outcome: 'refused',
      code: error.serviceCode ?? error.code,
      correlationId: error.correlationId,
    });
  }

  /**
   * Tells the team channels of `tenantId` that the link is complete, once per flow: a job run
   * again after a restart or a lost instance, or a result handled twice, claims the notice in the
   * change record first (ChangeRecordStore.claimNotification). When another run holds the claim,
   * waits (up to 10 s) for it to record how many channels it told.
   * @param card the notice (adaptive card JSON)
   * @returns how many channels were told (by this run or the one that held the claim; 0 if that
   *   one did not record it in time)
   * @throws Error from storage, or from the notifier when no channel could be reached
   */
  async notifyOnce(
    flowId: string,
    tenantId: string,
    card: Record<string, unknown>,
  ): Promise<number> {
    const claim = await this.deps.changes.claimNotification(flowId, uuidv4());
    if (claim.kind === 'done') return claim.channels;
    if (claim.kind === 'claimed') {
      const sent = await this.deps.notifier.notify(tenantId, card);
      await this.deps.changes.update(flowId, (r) => {
        r.status = 'notified';
        r.notifiedChannels = sent;
      });
      return sent;
    }
    for (let waited = 0; waited < NOTICE_WAIT_MS; waited += NOTICE_POLL_MS) {
      const record = await this.deps.changes.get(flowId);
      if (record?.status === 'notified') return record.notifiedChannels ?? 0;
      await (this.deps.pause ?? pause)(NOTICE_POLL_MS);
    }
    return 0;
  }

  /**
   * Withdraws the subscription's pending directory change request (DELETE, as its Owner) and
   * records it in the audit trail; best effort: a failure is audited, never thrown, so the flow
   * still ends with its own message.
   * @param source ARM as the subscription's Owner (the Azure sign-in)
   */
  async withdrawDirectoryChange(flow: FlowRef, source: AzureManagementPort): Promise<void> {
    const { flowId, initiatorId: by, subscriptionId } = flow;
    const action = 'withdrawChangeTenantRequest';
    try {
      const { withdrawn, correlationId } = await source.cancelDirectoryChange(subscriptionId);
      if (withdrawn)
        await this.deps.changes.audit(flowId, {
          by,
          action,
          target: subscriptionId,
          outcome: 'ok',
          correlationId,
        });
    } catch (err) {
      const e = asTenantlinkError(err);
      // Stryker disable next-line ObjectLiteral,StringLiteral: a log line, for operators: no test reads logs (test/mutation/EQUIVALENT.md)
      this.log.warn({ code: e.code, flowId }, 'change request not withdrawn');
      await this.deps.changes
        .audit(flowId, { by, action, target: subscriptionId, outcome: 'failed', code: e.code })
        .catch(() => undefined);
    }
  }
}
