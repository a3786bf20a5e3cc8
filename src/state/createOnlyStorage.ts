import type { Storage, StoreItems } from 'botbuilder';
import { CREATE_ONLY_ETAG } from './createOnly';

/**
 * A store's atomic "create if absent": one request that creates the item under `key` when nothing
 * is stored there and fails when something is, so that of two writers racing for an empty key
 * exactly one wins. Blob Storage's Put Blob with `If-None-Match: *` and Cosmos DB's Create
 * Document are such requests (src/state/cloudStorage.ts).
 */
export interface ItemCreator {
  /**
   * Creates `item` (without an eTag) under `key`, stored so that the store's botbuilder class
   * reads it back unchanged.
   * @throws Error "eTag conflict" (eTagConflict, ./createOnly.ts) when an item is stored under `key`;
   *   other storage errors as they are
   */
  createIfAbsent(key: string, item: Record<string, unknown>): Promise<void>;
}

/**
 * Adds tenantlink's create-only convention to a cloud store whose writes send the eTag as
 * `If-Match` (botbuilder-azure-blobs' BlobsStorage, botbuilder-azure's CosmosDbPartitionedStorage):
 * such a store would refuse a {@link CREATE_ONLY_ETAG} write even when nothing is stored, and
 * botbuilder's classes have no create-only write. A {@link CREATE_ONLY_ETAG} item is therefore
 * created with the store's own atomic create (`creator`), never by reading the key and then
 * writing: two instances that both read "absent" would both write, and both believe they hold the
 * lock or the claim. Every other write (a real eTag sent as `If-Match`, `*` or none) goes to the
 * botbuilder class unchanged; reads and deletes too.
 *
 * Like botbuilder's stores, a write of several keys is not atomic as a whole: the create-only
 * items are created first, one by one, and the first conflict stops the write before the others.
 */
export class CreateOnlyStorage implements Storage {
  /**
   * @param inner the botbuilder store (reads, deletes, writes with a real eTag)
   * @param creator the same store's atomic create, for {@link CREATE_ONLY_ETAG} items
   */
  constructor(
    private readonly inner: Storage,
    private readonly creator: ItemCreator,
  ) {}

  read(keys: string[]): Promise<StoreItems> {
    return this.inner.read(keys);
  }

  /** @throws Error "eTag conflict" when a create-only key is already taken, or a real eTag is stale */
  async write(changes: StoreItems): Promise<void> {
    const others: StoreItems = {};
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...value } = (item ?? {}) as Record<string, unknown> & { eTag?: unknown };
      if (eTag === CREATE_ONLY_ETAG) await this.creator.createIfAbsent(key, value);
      else others[key] = item;
    }
    if (Object.keys(others).length > 0) await this.inner.write(others);
  }

  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}

/**
 * Storage for botbuilder's TeamsSSOTokenExchangeMiddleware, which deduplicates Teams' token
 * exchanges (one per signed-in device) by writing an item whose eTag is the exchange's id and
 * counting on the first write to succeed and later ones to conflict. That holds for MemoryStorage,
 * not for stores with If-Match semantics (Blob, Cosmos DB), where even the first write fails and
 * every exchange would be dropped. Here any write with an eTag other than '*' is create-only
 * ({@link CREATE_ONLY_ETAG}): the first succeeds, the others get the "eTag conflict" the
 * middleware expects. Reads and deletes pass through.
 */
export class FirstWriteWinsStorage implements Storage {
  /** @param inner a store that honours {@link CREATE_ONLY_ETAG} (all of tenantlink's do) */
  constructor(private readonly inner: Storage) {}

  read(keys: string[]): Promise<StoreItems> {
    return this.inner.read(keys);
  }

  /** @throws Error "eTag conflict" when the key was written before */
  write(changes: StoreItems): Promise<void> {
    const prepared: StoreItems = {};
    for (const [key, item] of Object.entries(changes)) {
      const eTag = (item as { eTag?: string } | undefined)?.eTag;
      prepared[key] = eTag && eTag !== '*' ? { ...item, eTag: CREATE_ONLY_ETAG } : item;
    }
    return this.inner.write(prepared);
  }

  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}
