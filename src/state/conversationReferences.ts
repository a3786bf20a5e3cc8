import type { ConversationReference, Storage } from 'botbuilder';

/**
 * Conversation references of the teams where the bot is installed, saved when it is installed
 * (installationUpdate / conversationUpdate with `channelData.team`), so the bot can post the
 * "link complete" card to the team's channel proactively. Kept in a botbuilder Storage.
 */

/** A saved channel reference. */
export interface ChannelReference {
  readonly teamId: string;
  readonly teamName: string;
  readonly tenantId: string;
  readonly reference: Partial<ConversationReference>;
  readonly savedAt: string;
}

const INDEX = 'channels/index';

/** Reads and writes channel references. */
export class ConversationReferenceStore {
  constructor(private readonly storage: Storage) {}

  /** Saves or replaces the reference of a team. */
  async save(ref: ChannelReference): Promise<void> {
    const all = await this.list();
    const next = [...all.filter((r) => r.teamId !== ref.teamId), ref];
    await this.storage.write({ [INDEX]: { refs: next, eTag: '*' } });
  }

  /** Removes a team (bot uninstalled, or 403 BotNotInConversationRoster). */
  async remove(teamId: string): Promise<void> {
    const all = await this.list();
    await this.storage.write({
      [INDEX]: { refs: all.filter((r) => r.teamId !== teamId), eTag: '*' },
    });
  }

  /** All saved references, optionally of one tenant. */
  async list(tenantId?: string): Promise<ChannelReference[]> {
    const items = await this.storage.read([INDEX]);
    const refs = ((items[INDEX] as { refs?: ChannelReference[] } | undefined)?.refs ??
      []) as ChannelReference[];
    return tenantId ? refs.filter((r) => r.tenantId === tenantId) : refs;
  }
}
