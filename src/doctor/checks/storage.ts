import { randomUUID } from 'node:crypto';
import type { Storage, StoreItem } from 'botbuilder';
import { fail, pass, reasonOf, skip } from '../findings';
import type { Check, DoctorContext, Finding } from '../types';

/**
 * The bot's store accepts an eTag write, through the bot's own storage factory
 * (src/app.ts `openStorage`): create an item, rewrite it with the eTag it was read with, see the
 * now-stale eTag refused, delete it. Optimistic concurrency is what the bot's state, locks and
 * background leases rest on (botbuilder's `Storage.write`: "If the eTag … doesn't match … the
 * write fails", https://learn.microsoft.com/javascript/api/botbuilder-core/storage; Blob Storage
 * answers 412 to a stale If-Match, "Specifying conditional headers for Blob service operations",
 * https://learn.microsoft.com/rest/api/storageservices/specifying-conditional-headers-for-blob-service-operations).
 */
export const storageCheck: Check = async (ctx) => {
  if (!ctx.storage) return [skip('storage', ctx.t('doctor.skip.storageHeld'))];
  return [await etagRoundTrip(ctx, ctx.storage)];
};

/** Runs the round trip on `storage`. */
async function etagRoundTrip(ctx: DoctorContext, storage: Storage): Promise<Finding> {
  const key = `tenantlink-doctor-${randomUUID()}`;
  let step = 'write';
  try {
    await storage.write({ [key]: { value: 1, eTag: '*' } });
    step = 'read';
    const first = (await storage.read([key]))[key] as StoreItem | undefined;
    if (!first?.eTag) throw new Error('the item was not read back with an eTag');
    step = 'conditional write';
    await storage.write({ [key]: { value: 2, eTag: first.eTag } });
    step = 'stale eTag';
    const refused = await storage.write({ [key]: { value: 3, eTag: first.eTag } }).then(
      () => false,
      () => true,
    );
    if (!refused) throw new Error('a write with a stale eTag was accepted');
    step = 'delete';
    await storage.delete([key]);
    return pass('storage', ctx.t('doctor.pass.storage', { kind: ctx.config.storage.kind }));
  } catch (err) {
    return storageFailure(ctx, step, reasonOf(err));
  }
}

/** The storage failure, with the settings to check (names only, never values). */
export function storageFailure(ctx: DoctorContext, step: string, reason: string): Finding {
  const kind = ctx.config.storage.kind;
  const settings: Record<string, string> = {
    embedded: 'STORAGE_DIR',
    memory: '-',
    blob: 'BLOB_ACCOUNT_URL / BLOB_CONNECTION_STRING, BLOB_CONTAINER, AZURE_CLIENT_ID',
    cosmos: 'COSMOS_ENDPOINT, COSMOS_KEY, COSMOS_DATABASE, COSMOS_CONTAINER',
  };
  return fail(
    'storage',
    'doctorStorage',
    ctx.t('doctor.fail.storage', { kind, step, reason }),
    ctx.t('doctor.fix.storage', { settings: settings[kind] ?? '-' }),
  );
}
