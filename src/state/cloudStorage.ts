import type { TokenCredential } from '@azure/core-auth';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { CosmosDbPartitionedStorage } from 'botbuilder-azure';
import { CreateOnlyStorage } from './createOnlyStorage';

/**
 * The production stores: Azure Blob Storage (botbuilder-azure-blobs, one blob per key) and Azure
 * Cosmos DB (botbuilder-azure, partitioned container), both with eTag `If-Match` writes and
 * tenantlink's create-only convention ({@link CreateOnlyStorage}).
 */

/** Blob-backed storage. */
export class BlobStateStorage extends CreateOnlyStorage {
  /**
   * @param account the storage account's connection string (Azurite's in tests), or its blob
   *   endpoint URL and an Entra ID credential (a managed identity with Storage Blob Data
   *   Contributor on the account: no key at all)
   * @param container the container holding one blob per key; created when missing
   */
  constructor(
    account: string | { readonly url: string; readonly credential: TokenCredential },
    container: string,
  ) {
    super(
      typeof account === 'string'
        ? new BlobsStorage(account, container)
        : new BlobsStorage('', container, {}, account.url, account.credential),
    );
  }
}

/** Cosmos DB-backed storage. */
export class CosmosStateStorage extends CreateOnlyStorage {
  /**
   * @param endpoint the account endpoint, e.g. `https://contoso.documents.azure.com:443/`
   * @param key the account key (a secret)
   * @param database database id; created when missing
   * @param container container id (partition key `/id`); created when missing
   */
  constructor(endpoint: string, key: string, database: string, container: string) {
    super(
      new CosmosDbPartitionedStorage({
        cosmosDbEndpoint: endpoint,
        authKey: key,
        databaseId: database,
        containerId: container,
        compatibilityMode: false,
      }),
    );
  }
}
