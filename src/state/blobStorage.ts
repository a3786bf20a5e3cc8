import type { Storage, StoreItems } from 'botbuilder';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { CREATE_ONLY_ETAG } from './createOnly';

/**
 * Azure Blob Storage for state, conversation references and change records (production option),
 * through botbuilder-azure-blobs' `BlobsStorage` (one blob per key, eTag `If-Match` writes).
 *
 * tenantlink also writes "create only" items with the eTag {@link CREATE_ONLY_ETAG} (a new change
 * record, a subscription lock): they must not overwrite an item someone else created.
 * `BlobsStorage` would send that eTag as `If-Match` and fail even when nothing exists, so this
 * adapter checks that the key is absent and then writes unconditionally. The window between the
 * check and the write is one round trip; writes with a real eTag stay atomic.
 */

/** Blob-backed storage with the create-only convention. */
export class BlobStateStorage implements Storage {
  private readonly blobs: BlobsStorage;

  /**
   * @param connectionString the storage account's connection string (Azurite's in tests)
   * @param container the container holding one blob per key; created when missing
   */
  constructor(connectionString: string, container: string) {
    this.blobs = new BlobsStorage(connectionString, container);
  }

  read(keys: string[]): Promise<StoreItems> {
    return this.blobs.read(keys);
  }

  async write(changes: StoreItems): Promise<void> {
    const createOnly = Object.entries(changes).filter(
      ([, item]) => (item as { eTag?: string } | undefined)?.eTag === CREATE_ONLY_ETAG,
    );
    if (createOnly.length > 0) {
      const existing = await this.blobs.read(createOnly.map(([key]) => key));
      const taken = createOnly.find(([key]) => existing[key] !== undefined);
      if (taken) throw new Error(`Storage: error writing "${taken[0]}" due to eTag conflict.`);
    }
    const prepared: StoreItems = {};
    for (const [key, item] of Object.entries(changes)) {
      const eTag = (item as { eTag?: string } | undefined)?.eTag;
      prepared[key] = eTag === CREATE_ONLY_ETAG ? { ...item, eTag: '*' } : item;
    }
    await this.blobs.write(prepared);
  }

  delete(keys: string[]): Promise<void> {
    return this.blobs.delete(keys);
  }
}
