import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import type { Storage, StoreItems } from 'botbuilder';
import {
  PRIVATE_FILE_MODE,
  PRIVATE_FOLDER_MODE,
  ensurePrivateFolder,
  tightenFile,
} from './privateFiles';

/**
 * botbuilder `Storage` on local disk, with no server to install: an embedded document store
 * (@seald-io/nedb, an append-only data file compacted on open and every minute) holding each item as
 * `{ _id: key, eTag, json }`. The item is kept as a JSON string because botbuilder state holds
 * keys such as `$schema` that a document store refuses as field names.
 *
 * eTags follow botbuilder's contract (MemoryStorage, BlobsStorage): a write without an eTag or
 * with `*` overwrites; a write with an eTag succeeds only if the stored item still has it (or
 * there is none yet), otherwise it throws an "eTag conflict" error and changes nothing. Each
 * write is one conditional update of the store, so two writers cannot both win.
 */

interface StoredDoc {
  _id: string;
  eTag: string;
  json: string;
}

/** Compaction interval of the data file, in ms. */
const COMPACTION_INTERVAL_MS = 60_000;

/** Durable local storage for state, conversation references and change records. */
export class EmbeddedStorage implements Storage {
  private closed = false;

  private constructor(private readonly db: Datastore<StoredDoc>) {}

  /**
   * Opens (or creates) the store in `directory`, file `tenantlink.db`, both owner-only (folder
   * 0700, file 0600: src/state/privateFiles.ts), also after each compaction.
   * @throws Error when the directory cannot be created or the data file is corrupt
   */
  static async open(directory: string): Promise<EmbeddedStorage> {
    await ensurePrivateFolder(directory);
    const filename = join(directory, 'tenantlink.db');
    // nedb creates every file it writes with these modes, the temporary file of a compaction
    // (written whole, then renamed over the data file) included (@seald-io/nedb lib/storage.js,
    // crashSafeWriteFileLinesAsync); they apply only to new files, so a data file an earlier
    // version left readable by others is made owner-only here, before anything is read.
    const db = new Datastore<StoredDoc>({
      filename,
      modes: { fileMode: PRIVATE_FILE_MODE, dirMode: PRIVATE_FOLDER_MODE },
    });
    await tightenFile(filename).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
    await db.loadDatabaseAsync();
    db.setAutocompactionInterval(COMPACTION_INTERVAL_MS);
    return new EmbeddedStorage(db);
  }

  async read(keys: string[]): Promise<StoreItems> {
    this.assertOpen();
    if (keys.length === 0) return {};
    const docs = await this.db.findAsync({ _id: { $in: keys } });
    const items: StoreItems = {};
    for (const doc of docs) items[doc._id] = { ...JSON.parse(doc.json), eTag: doc.eTag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    this.assertOpen();
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...value } = (item ?? {}) as Record<string, unknown> & { eTag?: string };
      const next: StoredDoc = { _id: key, eTag: randomUUID(), json: JSON.stringify(value) };
      if (!eTag || eTag === '*') {
        await this.db.updateAsync({ _id: key }, next, { upsert: true });
        continue;
      }
      const { numAffected } = await this.db.updateAsync({ _id: key, eTag }, next, {});
      if (numAffected === 1) continue;
      // No item with that eTag: either another writer changed it (conflict) or there is none yet.
      try {
        await this.db.insertAsync(next);
      } catch {
        // The insert found an item under the key (unique _id): someone else wrote first.
        throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
      }
    }
  }

  async delete(keys: string[]): Promise<void> {
    this.assertOpen();
    if (keys.length > 0) await this.db.removeAsync({ _id: { $in: keys } }, { multi: true });
  }

  /** Compacts the data file and stops the compaction timer; later calls throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.stopAutocompaction();
    await this.db.compactDatafileAsync();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('Storage: the embedded store is closed.');
  }
}
