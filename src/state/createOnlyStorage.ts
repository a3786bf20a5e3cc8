import type { Storage, StoreItems } from 'botbuilder';
import { CREATE_ONLY_ETAG } from './createOnly';

/**
 * Adds tenantlink's create-only convention to a cloud store whose writes send the eTag as
 * `If-Match` (botbuilder-azure-blobs' BlobsStorage, botbuilder-azure's CosmosDbPartitionedStorage):
 * such a store would refuse a {@link CREATE_ONLY_ETAG} write even when nothing is stored. The
 * adapter checks that the key is absent, then writes unconditionally; the window between the two
 * is one round trip. Writes with a real eTag go through unchanged and stay atomic.
 */
export class CreateOnlyStorage implements Storage {
  constructor(private readonly inner: Storage) {}

  read(keys: string[]): Promise<StoreItems> {
    return this.inner.read(keys);
  }

  /** @throws Error "eTag conflict" when a create-only key is already taken */
  async write(changes: StoreItems): Promise<void> {
    const createOnly = Object.entries(changes).filter(
      ([, item]) => (item as { eTag?: string } | undefined)?.eTag === CREATE_ONLY_ETAG,
    );
    if (createOnly.length > 0) {
      const existing = await this.inner.read(createOnly.map(([key]) => key));
      const taken = createOnly.find(([key]) => existing[key] !== undefined);
      if (taken) throw new Error(`Storage: error writing "${taken[0]}" due to eTag conflict.`);
    }
    const prepared: StoreItems = {};
    for (const [key, item] of Object.entries(changes)) {
      const eTag = (item as { eTag?: string } | undefined)?.eTag;
      prepared[key] = eTag === CREATE_ONLY_ETAG ? { ...item, eTag: '*' } : item;
    }
    await this.inner.write(prepared);
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
