import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenCredential } from '@azure/core-auth';
import type { InventoryPolicy, InventoryResource } from '../domain/inventory';
import type { ResourceInventoryPort } from '../domain/ports';
import { createLogger } from '../log';
import { ArmClient, type ArmClientOptions } from './armClient';

const log = createLogger('resourceGraph');

/**
 * A subscription's resources and policy objects from Azure Resource Graph
 * (`POST /providers/Microsoft.ResourceGraph/resources`, operation `Resources`, api-version
 * 2024-04-01; Azure/azure-rest-api-specs resourcegraph.json at commit
 * 423203f7370f6ca2aedbc2ebd3e57401a083e196). Pages of at most 1,000 rows (`$top`'s maximum) are
 * read while the answer carries a `$skipToken`, which is sent back with the same query and scope;
 * the queries project `id`, which Resource Graph needs to page in a stable order.
 *
 * Throttling (MicrosoftDocs/azure-docs
 * articles/governance/resource-graph/concepts/guidance-for-throttled-requests.md at commit
 * 03adcc30b28ecad9f81aba5638a15fb1930f5ec0): each user has a quota of queries per time window
 * (e.g. 15 per 5 s, "subject to change"), each page is one query of it ("each paginated query you
 * send takes one query quota"), and every answer says what is left in `x-ms-user-quota-remaining`
 * (int) and when it resets in `x-ms-user-quota-resets-after` (hh:mm:ss). As the doc's sample does,
 * when the remaining quota is 0 the client waits the resets-after time before its next query. One
 * client's queries go one at a time (the inventory asks for resources and policies together), so
 * the last answer's headers always govern the next query. A 429 with Retry-After and 5xx are still
 * retried by the ARM pipeline, as the fallback (another client of the same user spends the quota).
 */

/** The Resource Graph api-version used. */
export const RESOURCE_GRAPH_API = '2024-04-01';

/** Resource Graph's header: the user's queries left in the current window (int). */
export const QUOTA_REMAINING_HEADER = 'x-ms-user-quota-remaining';
/** Resource Graph's header: time until the user's quota resets (hh:mm:ss). */
export const QUOTA_RESETS_AFTER_HEADER = 'x-ms-user-quota-resets-after';

/**
 * How long to wait before the next query, from an answer's quota headers: the resets-after time
 * (hh:mm:ss, in ms, fractions of a second rounded up) when the remaining quota is 0, else 0.
 * Missing or malformed headers mean no wait (the 429 fallback stays).
 * @param remaining `x-ms-user-quota-remaining`
 * @param resetsAfter `x-ms-user-quota-resets-after`
 * @returns ms to wait
 */
export function quotaWaitMs(
  remaining: string | undefined,
  resetsAfter: string | undefined,
): number {
  if (remaining === undefined || !/^\s*\d+\s*$/.test(remaining) || Number(remaining) > 0) return 0;
  const match = /^\s*(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)\s*$/.exec(resetsAfter ?? '');
  if (!match) return 0;
  const [, h, m, sec] = match;
  return Math.ceil((Number(h) * 3600 + Number(m) * 60 + Number(sec)) * 1000);
}

/** Options of a Resource Graph client. */
export interface ResourceGraphOptions extends ArmClientOptions {
  /** Waits the given ms when the quota is spent; a timer by default (tests record the wait). */
  readonly pause?: (ms: number) => Promise<unknown>;
}

/** Rows per page: `QueryRequestOptions.$top`'s maximum. */
export const RESOURCE_GRAPH_PAGE = 1000;

/**
 * Every resource of the subscription with the properties the transfer doc's rows and warnings
 * depend on (src/domain/inventory.ts cites each): identity, the resource's tenant
 * (`properties.tenantId`, as the doc's "List other known resources" query reads it), Data Lake
 * Storage Gen2, a SQL server's Microsoft Entra administrator, and where customer-managed keys are:
 * a storage account's key source and key vault URI, a SQL server's TDE protector key (`keyId`), a
 * disk encryption set's active key, a disk's Azure Disk Encryption settings
 * (`encryptionSettingsCollection`, the doc's query's `enabled == true`), and the URIs of the
 * subscription's key vaults and Managed HSMs that tell whether a key moves with it.
 */
export const RESOURCES_QUERY = [
  'resources',
  [
    'project id, name, type, kind, identityType = identity.type',
    'tenantId = properties.tenantId',
    'isHnsEnabled = properties.isHnsEnabled',
    'sqlAdministratorType = properties.administrators.administratorType',
    'keySource = properties.encryption.keySource',
    'keyVaultUri = properties.encryption.keyvaultproperties.keyvaulturi',
    'sqlKeyId = properties.keyId',
    'activeKeyUrl = properties.activeKey.keyUrl',
    'activeKeyVaultId = properties.activeKey.sourceVault.id',
    'adeEnabled = properties.encryptionSettingsCollection.enabled',
    'adeSettings = properties.encryptionSettingsCollection.encryptionSettings',
    'vaultUri = properties.vaultUri',
    'hsmUri = properties.hsmUri',
  ].join(', '),
  'order by id asc',
].join(' | ');

/** The subscription's key vaults, with the directory each authenticates against. */
export const KEY_VAULTS_QUERY = [
  'resources',
  "where type =~ 'microsoft.keyvault/vaults'",
  'project id, name, type, tenantId = properties.tenantId',
  'order by id asc',
].join(' | ');

/**
 * The subscription's Azure Policy assignments, definitions, initiatives (policy set definitions)
 * and exemptions: the transfer doc's "Azure Policy" row counts "All Azure Policy objects,
 * including custom definitions, assignments, exemptions" (src/domain/inventory.ts), and a custom
 * initiative is a custom definition too (`microsoft.authorization/policysetdefinitions` in the
 * `policyresources` table; https://learn.microsoft.com/azure/governance/policy/concepts/initiative-definition-structure).
 */
export const POLICIES_QUERY = [
  'policyresources',
  "where type in~ ('microsoft.authorization/policyassignments', 'microsoft.authorization/policydefinitions', 'microsoft.authorization/policysetdefinitions', 'microsoft.authorization/policyexemptions')",
  'project id, name, type',
  'order by id asc',
].join(' | ');

interface QueryResponse<T> {
  readonly totalRecords: number;
  readonly count: number;
  readonly resultTruncated: 'true' | 'false';
  readonly $skipToken?: string;
  readonly data: T[];
}

/** Resource Graph client for one credential (one user): its queries go one at a time. */
export class ArmResourceInventory implements ResourceInventoryPort {
  private readonly arm: ArmClient;
  private readonly pause: (ms: number) => Promise<unknown>;
  /** The previous query, settled or not: the next one starts after it. */
  private previous: Promise<unknown> = Promise.resolve();
  /** ms to wait before the next query (the last answer spent the quota). */
  private waitMs = 0;

  constructor(credential: TokenCredential, options: ResourceGraphOptions) {
    this.arm = new ArmClient(credential, options);
    this.pause = options.pause ?? ((ms) => sleep(ms));
  }

  async resources(subscriptionId: string): Promise<InventoryResource[]> {
    return this.queryAll<InventoryResource>(subscriptionId, RESOURCES_QUERY);
  }

  async keyVaults(subscriptionId: string): Promise<InventoryResource[]> {
    return this.queryAll<InventoryResource>(subscriptionId, KEY_VAULTS_QUERY);
  }

  async policies(subscriptionId: string): Promise<InventoryPolicy[]> {
    return this.queryAll<InventoryPolicy>(subscriptionId, POLICIES_QUERY);
  }

  /**
   * Every row of a query over one subscription, page after page.
   * @param maxPages bound on the pages read (1,000 pages = 1,000,000 rows)
   * @throws TenantlinkError from the ARM client (403 without read access, 400 for a bad query)
   */
  private async queryAll<T>(subscriptionId: string, query: string, maxPages = 1000): Promise<T[]> {
    const rows: T[] = [];
    let skipToken: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const body = await this.query<T>({
        subscriptions: [subscriptionId],
        query,
        options: {
          $top: RESOURCE_GRAPH_PAGE,
          resultFormat: 'objectArray',
          ...(skipToken ? { $skipToken: skipToken } : {}),
        },
      });
      rows.push(...(body.data ?? []));
      skipToken = body.$skipToken;
      if (!skipToken) break;
    }
    return rows;
  }

  /**
   * Sends one query after the previous one settled, first waiting out a spent quota.
   * @throws TenantlinkError from the ARM client
   */
  private query<T>(request: unknown): Promise<QueryResponse<T>> {
    const run = this.previous.then(async () => {
      if (this.waitMs > 0) {
        const ms = this.waitMs;
        this.waitMs = 0;
        log.debug({ waitMs: ms }, 'Resource Graph quota spent: waiting for it to reset');
        await this.pause(ms);
      }
      const { body, headers } = await this.arm.send<QueryResponse<T>>(
        'POST',
        `/providers/Microsoft.ResourceGraph/resources?api-version=${RESOURCE_GRAPH_API}`,
        request,
      );
      this.waitMs = quotaWaitMs(
        headers.get(QUOTA_REMAINING_HEADER),
        headers.get(QUOTA_RESETS_AFTER_HEADER),
      );
      return body;
    });
    this.previous = run.catch(() => undefined);
    return run;
  }
}
