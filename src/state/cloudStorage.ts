import type { TokenCredential } from '@azure/core-auth';
import { CosmosClient, type Container } from '@azure/cosmos';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { BlobsStorage } from 'botbuilder-azure-blobs';
// BlobsStorage's own key-to-blob-name function (URI-encoded, empty path segments dropped, at most
// 1024 characters), not exported from the package's index: used as is, not copied, so that a blob
// created here is the blob BlobsStorage reads for the same key.
import { sanitizeBlobKey } from 'botbuilder-azure-blobs/lib/sanitizeBlobKey';
import {
  CosmosDbKeyEscape,
  CosmosDbPartitionedStorage,
  type CosmosDbPartitionedStorageOptions,
} from 'botbuilder-azure';
import { eTagConflict } from './createOnly';
import { CreateOnlyStorage, type ItemCreator } from './createOnlyStorage';

/**
 * The production stores: Azure Blob Storage (botbuilder-azure-blobs, one blob per key) and Azure
 * Cosmos DB (botbuilder-azure, partitioned container), both with eTag `If-Match` writes and
 * tenantlink's create-only convention ({@link CreateOnlyStorage}) made of each service's atomic
 * create, which botbuilder's classes cannot express.
 */

/**
 * Creates items as botbuilder-azure-blobs' BlobsStorage stores them (the blob named by
 * `sanitizeBlobKey(key)`, its body the item's JSON without the eTag, content type
 * `application/json`), in one Put Blob with `If-None-Match: *`: "Specify the wildcard character
 * (*) to perform the operation only if the resource does not exist, and fail the operation if it
 * does exist" (Specifying conditional headers for Blob service operations,
 * https://learn.microsoft.com/rest/api/storageservices/specifying-conditional-headers-for-blob-service-operations).
 * An existing blob is answered 409 BlobAlreadyExists ("The specified blob already exists", Azure
 * Blob Storage error codes,
 * https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes); 412
 * ConditionNotMet is taken the same way. Both become the "eTag conflict" error.
 */
class BlobItemCreator implements ItemCreator {
  private containerReady?: Promise<unknown>;

  constructor(private readonly container: ContainerClient) {}

  async createIfAbsent(key: string, item: Record<string, unknown>): Promise<void> {
    await this.ensureContainer();
    const body = JSON.stringify(item);
    try {
      await this.container
        .getBlockBlobClient(sanitizeBlobKey(key))
        .upload(body, Buffer.byteLength(body), {
          conditions: { ifNoneMatch: '*' },
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (status === 409 || status === 412) throw eTagConflict(key);
      throw err;
    }
  }

  /** Creates the container when missing, once (as BlobsStorage does before its first call). */
  private ensureContainer(): Promise<unknown> {
    this.containerReady ??= this.container.createIfNotExists().catch((err: unknown) => {
      this.containerReady = undefined; // Try again on the next create.
      throw err;
    });
    return this.containerReady;
  }
}

/** Blob-backed storage. */
export class BlobStateStorage extends CreateOnlyStorage {
  /**
   * @param account the storage account's connection string (Azurite's in tests), or its blob
   *   endpoint URL (`https://<account>.blob.core.windows.net`) and an Entra ID credential (a
   *   managed identity with Storage Blob Data Contributor on the account: no key at all)
   * @param container the container holding one blob per key; created when missing
   * @throws Error when the connection string or URL cannot be parsed
   */
  constructor(
    account: string | { readonly url: string; readonly credential: TokenCredential },
    container: string,
  ) {
    // One container for both: botbuilder's class (reads, deletes, If-Match writes) and the
    // create-only writes. With a credential, BlobsStorage takes the container's URL, not the
    // account's.
    const client =
      typeof account === 'string'
        ? new ContainerClient(account, container)
        : new BlobServiceClient(account.url, account.credential).getContainerClient(container);
    super(
      typeof account === 'string'
        ? new BlobsStorage(account, container)
        : new BlobsStorage('', container, {}, client.url, account.credential),
      new BlobItemCreator(client),
    );
  }
}

/**
 * Creates items as botbuilder-azure's CosmosDbPartitionedStorage stores them: a document
 * `{ id: CosmosDbKeyEscape.escapeKey(key, keySuffix, compatibilityMode), realId: key, document }`
 * in a container partitioned on `/id`, with the same options as the store. The request is Create
 * Document, not the upsert botbuilder sends: "409 Conflict: The id provided for the new document
 * has been taken by an existing document" (Create Document,
 * https://learn.microsoft.com/rest/api/cosmos-db/create-a-document), which becomes the "eTag
 * conflict" error. The container is the store's, created when missing by the store's own
 * `initialize`; the client is made on the first create, as botbuilder makes its own on first use.
 */
class CosmosItemCreator implements ItemCreator {
  private container?: Container;

  /** @param connect makes the client and returns the store's container (called once) */
  constructor(
    private readonly storage: CosmosDbPartitionedStorage,
    private readonly options: CosmosDbPartitionedStorageOptions,
    private readonly connect: () => Container,
  ) {}

  async createIfAbsent(key: string, item: Record<string, unknown>): Promise<void> {
    await this.storage.initialize();
    this.container ??= this.connect();
    const id = CosmosDbKeyEscape.escapeKey(
      key,
      this.options.keySuffix,
      this.options.compatibilityMode,
    );
    try {
      await this.container.items.create({ id, realId: key, document: item });
    } catch (err) {
      if ((err as { code?: unknown }).code === 409) throw eTagConflict(key);
      throw err;
    }
  }
}

/** Cosmos DB-backed storage. */
export class CosmosStateStorage extends CreateOnlyStorage {
  /**
   * @param endpoint the account endpoint, e.g. `https://contoso.documents.azure.com:443/`
   * @param key the account key (a secret)
   * @param database database id (the database must exist)
   * @param container container id (partition key `/id`); created when missing
   */
  constructor(endpoint: string, key: string, database: string, container: string) {
    const options: CosmosDbPartitionedStorageOptions = {
      cosmosDbEndpoint: endpoint,
      authKey: key,
      databaseId: database,
      containerId: container,
      compatibilityMode: false,
    };
    const storage = new CosmosDbPartitionedStorage(options);
    super(
      storage,
      new CosmosItemCreator(storage, options, () =>
        new CosmosClient({ endpoint, key }).database(database).container(container),
      ),
    );
  }
}
