/**
 * The eTag tenantlink writes when an item must be created only if nothing is stored under its key
 * (a new change record, a subscription lock, the index of records). Every store honours it:
 * botbuilder's MemoryStorage and the embedded store accept a write with an eTag when the key is
 * empty and refuse it when another item is there; the Blob adapter checks for the key first.
 */
export const CREATE_ONLY_ETAG = 'absent';

/**
 * Whether a storage write failed because another writer won (a stale or create-only eTag): the
 * "eTag conflict" of MemoryStorage, the embedded store and the Blob adapter, or the
 * precondition/conflict errors of Cosmos DB. Callers read again and retry.
 */
export function isETagConflict(err: unknown): boolean {
  return /etag|precondition|conflict/i.test(String((err as Error | undefined)?.message));
}
