import type { TokenCredential } from '@azure/core-auth';
import type { ApproverDirectoryPort } from '../graph/approvers';
import type {
  AzureManagementPort,
  KeyVaultPort,
  Office365DirectoryPort,
  ResourceInventoryPort,
} from '../domain/ports';

/**
 * What the link procedure needs to reach the clouds: clients built for a credential. The
 * composition root wires these to the Graph and ARM clients with the configured endpoints
 * (Microsoft's cloud or the sandbox cloud).
 */
export interface CloudClients {
  /** Microsoft Graph for the directory of the credential's token. */
  directory(credential: TokenCredential): Office365DirectoryPort;
  /**
   * Graph's approver check (issue 29: checkMemberGroups, Global Administrator holders) for the
   * credential's directory; absent where no approval is wired (fake clients of unit tests).
   */
  approvers?(credential: TokenCredential): ApproverDirectoryPort;
  /** Azure Resource Manager for the credential's account and directory. */
  azure(credential: TokenCredential): AzureManagementPort;
  /** Azure Resource Graph for the credential's account and directory (the inventory). */
  inventory(credential: TokenCredential): ResourceInventoryPort;
  /** Key vaults through ARM, for the credential's account (the after-move fix). */
  keyVaults(credential: TokenCredential): KeyVaultPort;
  /** User-realm lookup (rule R5). */
  userRealm(email: string): Promise<'Managed' | 'Federated' | 'Unknown'>;
  /** Azure portal root for deep links, e.g. `https://portal.azure.com`. */
  readonly portalUrl: string;
}

/** Posts a card to the channels of the teams of a tenant where the bot is installed. */
export interface ChannelNotifier {
  /**
   * @param tenantId the Office 365 tenant whose teams are told
   * @param card adaptive card JSON
   * @returns how many channels received it
   */
  notify(tenantId: string, card: Record<string, unknown>): Promise<number>;
}
