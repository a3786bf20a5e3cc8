import { classifyInventory, type Inventory } from '../domain/inventory';
import type { ResourceInventoryPort } from '../domain/ports';

/**
 * The inventory of what the directory change breaks in a subscription (src/domain/inventory.ts),
 * read from Azure Resource Graph as the subscription's administrator.
 * @throws TenantlinkError from the port (403 without read access, 429/5xx after retries)
 */
export async function takeInventory(
  port: ResourceInventoryPort,
  subscriptionId: string,
): Promise<Inventory> {
  const [resources, policies] = await Promise.all([
    port.resources(subscriptionId),
    port.policies(subscriptionId),
  ]);
  return classifyInventory(resources, policies);
}
