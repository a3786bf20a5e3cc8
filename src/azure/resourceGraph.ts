import type { TokenCredential } from '@azure/core-auth';
import type { InventoryPolicy, InventoryResource } from '../domain/inventory';
import type { ResourceInventoryPort } from '../domain/ports';
import { ArmClient, type ArmClientOptions } from './armClient';

/**
 * A subscription's resources and policy objects from Azure Resource Graph
 * (`POST /providers/Microsoft.ResourceGraph/resources`, operation `Resources`, api-version
 * 2024-04-01; Azure/azure-rest-api-specs resourcegraph.json at commit
 * 423203f7370f6ca2aedbc2ebd3e57401a083e196). Pages of at most 1,000 rows (`$top`'s maximum) are
 * read while the answer carries a `$skipToken`, which is sent back with the same query and scope;
 * the queries project `id`, which Resource Graph needs to page in a stable order. Throttled
 * answers (429 with Retry-After) and 5xx are retried by the ARM pipeline. Each page is one query
 * of the user's quota (15 per 5 s, concepts/guidance-for-throttled-requests).
 */

/** The Resource Graph api-version used. */
export const RESOURCE_GRAPH_API = '2024-04-01';

/** Rows per page: `QueryRequestOptions.$top`'s maximum. */
export const RESOURCE_GRAPH_PAGE = 1000;

/**
 * Every resource of the subscription with the properties the transfer doc's rows depend on
 * (src/domain/inventory.ts): identity, a key vault's or workspace's tenant, Data Lake Storage
 * Gen2, a SQL server's Microsoft Entra administrator.
 */
export const RESOURCES_QUERY = [
  'resources',
  'project id, name, type, kind, identityType = identity.type, tenantId = properties.tenantId, isHnsEnabled = properties.isHnsEnabled, sqlAdministratorType = properties.administrators.administratorType',
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

/** Resource Graph client for one credential. */
export class ArmResourceInventory implements ResourceInventoryPort {
  private readonly arm: ArmClient;

  constructor(credential: TokenCredential, options: ArmClientOptions) {
    this.arm = new ArmClient(credential, options);
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
      const { body } = await this.arm.send<QueryResponse<T>>(
        'POST',
        `/providers/Microsoft.ResourceGraph/resources?api-version=${RESOURCE_GRAPH_API}`,
        {
          subscriptions: [subscriptionId],
          query,
          options: {
            $top: RESOURCE_GRAPH_PAGE,
            resultFormat: 'objectArray',
            ...(skipToken ? { $skipToken: skipToken } : {}),
          },
        },
      );
      rows.push(...(body.data ?? []));
      skipToken = body.$skipToken;
      if (!skipToken) break;
    }
    return rows;
  }
}
