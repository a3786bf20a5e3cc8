/**
 * The eTag tenantlink writes when an item must be created only if nothing is stored under its key
 * (a new change record, a subscription lock, the index of records). Every store honours it in one
 * atomic step: botbuilder's MemoryStorage and the embedded store accept a write with an eTag when
 * the key is empty and refuse it when another item is there; Blob and Cosmos DB create the item
 * with their own conditional create (CreateOnlyStorage, src/state/createOnlyStorage.ts).
 */
export const CREATE_ONLY_ETAG = 'absent';

/**
 * The error of a write that lost to another writer, worded as botbuilder's stores word it
 * (`Storage: error writing "<key>" due to eTag conflict.`), so {@link isETagConflict} and
 * botbuilder's own callers (TeamsSSOTokenExchangeMiddleware) recognise it.
 */
export function eTagConflict(key: string): Error {
  return new Error(`Storage: error writing "${key}" due to eTag conflict.`);
}

/**
 * Whether a storage write failed because another writer won (a stale or create-only eTag): the
 * "eTag conflict" of MemoryStorage, the embedded store and the create-only adapter; Azure Blob
 * Storage's 412 ConditionNotMet; Cosmos DB's 412 Precondition Failed ("One of the specified
 * pre-condition is not met", status in the error's `code`, botbuilder-azure prefixing the message
 * with "[Error upserting document]") and 409 Conflict. Callers read again and retry.
 */
export function isETagConflict(err: unknown): boolean {
  const e = err as { message?: unknown; code?: unknown; statusCode?: unknown } | undefined;
  if (e?.code === 412 || e?.statusCode === 412 || e?.code === 409 || e?.statusCode === 409)
    return true;
  return /etag|pre-?condition|conflict|ConditionNotMet/i.test(String(e?.message));
}

/** A store with botbuilder's Storage read and write (the subset {@link updateItem} needs). */
interface ItemStore {
  read(keys: string[]): Promise<Record<string, unknown>>;
  write(changes: Record<string, unknown>): Promise<void>;
}

/**
 * The one read-modify-write of tenantlink's shared items (change records and their index,
 * subscription locks, the background jobs document): reads `key`, lets `change` build the item to
 * write from what is stored (undefined when nothing is), writes it with the eTag read (create-only
 * when nothing was stored), and on an eTag conflict (another writer won, on any store) reads and
 * tries again.
 * @param change the item to write, or undefined to write nothing
 * @param attempts how many times to try (default 5)
 * @returns whether this call wrote, and the item written (or, when nothing was written, stored)
 * @throws Error "`what` kept changing" after `attempts` conflicts; other storage errors as they are
 */
export async function updateItem<T extends object>(
  storage: ItemStore,
  key: string,
  change: (current: (T & { eTag?: string }) | undefined) => T | undefined,
  what: string,
  attempts = 5,
): Promise<{ written: boolean; item: T | undefined }> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = (await storage.read([key]))[key] as (T & { eTag?: string }) | undefined;
    const next = change(current);
    if (next === undefined) return { written: false, item: current };
    try {
      await storage.write({ [key]: { ...next, eTag: current?.eTag ?? CREATE_ONLY_ETAG } });
      return { written: true, item: next };
    } catch (err) {
      if (!isETagConflict(err)) throw err;
    }
  }
  throw new Error(`${what} kept changing`);
}
