import type { ConversationReference, TurnContext } from 'botbuilder';
import { TokenBucket } from 'limiter';
import type { SignedInAccount } from '../auth/signIn';
import { cardAttachment, renderCard, type AdaptiveCardJson } from '../cards/render';
import { LinkCards } from '../dialogs/linkCards';
import { recordedDecisions } from '../domain/approval';
import type { AzureSubscription, Organization } from '../domain/model';
import type { Localizer } from '../i18n';
import type { GrantResult } from '../link/access';
import type { ChannelNotifier } from '../link/ports';
import type { LinkProcedure } from '../link/procedure';
import type { ProactiveAdapter } from './backgroundRunner';
import { createLogger } from '../log';
import type { ChangeRecordStore } from '../state/changeRecords';
import type { ConversationReferenceStore } from '../state/conversationReferences';
import { teamMemberIds } from './teamRoster';

/**
 * Posts a card proactively to the General channel of every team of a tenant where the bot is
 * installed (`continueConversationAsync` with the saved reference,
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages).
 * A 403 `BotNotInConversationRoster` means the bot was removed from the team: the reference is
 * dropped (DESIGN.md, "Known traps"). Sends to one conversation are spaced to Teams' limit of
 * 7 per second per conversation ({@link MESSAGES_PER_SECOND} sent)
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit); the longer
 * windows there (8 per 2 s, 60 per 30 s) are left to the 429 that Teams then answers, which the Bot
 * Connector client retries after its Retry-After.
 */

/**
 * Sends per second to one conversation: one under Teams' limit of 7, so that timer jitter and
 * network latency never put an eighth into Teams' one-second window.
 */
export const MESSAGES_PER_SECOND = 6;

export class ProactiveChannelNotifier implements ChannelNotifier {
  private readonly log = createLogger('channel-notifier');
  /**
   * One bucket per conversation (the few teams of a tenant; kept for the process). A bucket of
   * one token refilled 6 times a second spaces sends by 1/6 s, so no sliding second holds more
   * than 6 or 7 (a bucket of 7 would let 14 through across a second's boundary).
   */
  private readonly limiters = new Map<string, TokenBucket>();

  /** @param appId the bot's app id ('' in local mode) */
  constructor(
    private readonly adapter: ProactiveAdapter,
    private readonly appId: string,
    private readonly references: ConversationReferenceStore,
  ) {}

  async notify(tenantId: string, card: Record<string, unknown>): Promise<number> {
    let sent = 0;
    for (const ref of await this.references.list(tenantId)) {
      try {
        await this.sendIn(ref.reference, ref.teamId, async (context) => {
          await sendCard(context, card);
        });
        sent++;
      } catch (err) {
        if (removedFromTeam(err)) {
          this.log.warn(
            { code: 'TL-NOTIFY-NOT-IN-TEAM', teamId: ref.teamId },
            'bot removed from team: reference dropped',
          );
          await this.references.remove(ref.teamId);
        } else {
          this.log.error(
            { code: 'TL-NOTIFY-FAILED', teamId: ref.teamId, err },
            'channel notification failed',
          );
        }
      }
    }
    return sent;
  }

  /**
   * Posts `card` in one team's channel (the approval card, issue 29), through the team's saved
   * conversation reference as {@link notify} does.
   * @param teamId the team (its General channel's conversation id)
   * @returns the message's activity id (undefined: the bot is not in that team, or it has no
   *   reference)
   * @throws Error from the Bot Connector other than the bot's removal from the team
   */
  async post(teamId: string, card: Record<string, unknown>): Promise<string | undefined> {
    let id: string | undefined;
    const done = await this.inTeam(teamId, async (context) => {
      id = await sendCard(context, card);
    });
    return done ? id : undefined;
  }

  /**
   * Posts `card` in one conversation through its saved reference (the link's chat: the approval's
   * reminder to the initiator, issue 29), at the conversation's rate limit.
   * @param reference a reference saved from a turn of that conversation
   *   (`TurnContext.getConversationReference`)
   * @returns the message's activity id
   * @throws Error from the Bot Connector
   */
  async postInChat(
    reference: Partial<ConversationReference>,
    card: Record<string, unknown>,
  ): Promise<string | undefined> {
    let id: string | undefined;
    await this.sendIn(reference, '', async (context) => {
      id = await sendCard(context, card);
    });
    return id;
  }

  /**
   * Posts in one team's channel the card `card` makes for the team's members among `objectIds`
   * (the approval card, issue 29, whose `refresh.userIds` names the approvers by their Teams user
   * ids): in the one proactive turn that posts, the team's roster is read
   * (src/bot/teamRoster.ts) and each object id mapped to its member's `id` (`29:…`); those not in
   * the team are left out. When the roster cannot be read (403, 404, 5xx; or the local chat
   * client's connector refuses it), `card` gets `undefined` and a warning
   * (`TL-ROSTER-UNREADABLE`) is logged: the card is still posted.
   * @param objectIds Microsoft Entra object ids (none: the roster is not read, `card` gets `[]`)
   * @param card the card for the members' ids (`undefined`: the roster was not read)
   * @returns the message's activity id (undefined: the bot is not in that team, or it has no
   *   reference)
   * @throws Error from the Bot Connector's post other than the bot's removal from the team
   */
  async postForMembers(
    teamId: string,
    objectIds: readonly string[],
    card: (memberIds: readonly string[] | undefined) => Record<string, unknown>,
  ): Promise<string | undefined> {
    let id: string | undefined;
    const done = await this.inTeam(teamId, async (context) => {
      let memberIds: string[] | undefined = [];
      if (objectIds.length > 0) {
        try {
          memberIds = await teamMemberIds(context, teamId, objectIds);
          this.log.info(
            { teamId, asked: objectIds.length, members: memberIds.length },
            'team roster read',
          );
        } catch (err) {
          memberIds = undefined;
          this.log.warn(
            {
              code: 'TL-ROSTER-UNREADABLE',
              teamId,
              status: (err as { statusCode?: number }).statusCode,
            },
            'team roster not read: the card names no refresh users',
          );
        }
      }
      id = await sendCard(context, card(memberIds));
    });
    return done ? id : undefined;
  }

  /**
   * Replaces a message the bot posted in one team's channel with `card` (a bot message edit,
   * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/update-and-delete-bot-messages;
   * the approval card once its request ended). Teams then refreshes the card for its automatic
   * refresh users; a card without `refresh` is everyone's.
   * @returns false when the bot is not in that team (or it has no reference)
   * @throws Error from the Bot Connector other than the bot's removal from the team
   */
  async update(
    teamId: string,
    activityId: string,
    card: Record<string, unknown>,
  ): Promise<boolean> {
    return this.inTeam(teamId, async (context) => {
      await context.updateActivity({
        id: activityId,
        type: 'message',
        attachments: [cardAttachment(card as AdaptiveCardJson)],
      });
    });
  }

  /**
   * Runs `send` in a team's channel (its saved reference, the conversation's rate limit).
   * @returns false when the bot is not in that team (a 403 drops the reference)
   */
  private async inTeam(
    teamId: string,
    send: (context: TurnContext) => Promise<void>,
  ): Promise<boolean> {
    const ref = (await this.references.list()).find((r) => r.teamId === teamId);
    if (!ref) return false;
    try {
      await this.sendIn(ref.reference, ref.teamId, send);
      return true;
    } catch (err) {
      if (!removedFromTeam(err)) throw err;
      await this.references.remove(ref.teamId);
      return false;
    }
  }

  /**
   * Runs `send` in a proactive turn of one conversation (its saved reference), at the
   * conversation's rate limit. An error of `send` is rethrown here: inside the callback it would
   * go to the adapter's turn error handler, not to the caller.
   * @param fallbackKey the rate limit's key when the reference names no conversation
   * @throws Error from `send` (the Bot Connector)
   */
  private async sendIn(
    reference: Partial<ConversationReference>,
    fallbackKey: string,
    send: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    await this.limiter(reference.conversation?.id ?? fallbackKey).removeTokens(1);
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      try {
        await send(context);
      } catch (err) {
        failure = err;
      }
    });
    if (failure !== undefined) throw failure;
  }

  private limiter(conversationId: string): TokenBucket {
    let limiter = this.limiters.get(conversationId);
    if (!limiter) {
      limiter = new TokenBucket({
        bucketSize: 1,
        tokensPerInterval: MESSAGES_PER_SECOND,
        interval: 'second',
      });
      limiter.content = 1;
      this.limiters.set(conversationId, limiter);
    }
    return limiter;
  }
}

/** What the team channels' notice of a link names (JSON: kept in the access job's stage). */
export interface LinkNoticeFacts {
  readonly subscription: AzureSubscription;
  readonly org: Organization;
  /** The Office 365 admin who linked. */
  readonly office365: SignedInAccount;
  /** The Azure portal's URL (the notice links to the subscription there). */
  readonly portalUrl: string;
}

/**
 * The link's notices to the team channels of the Office 365 tenant, in the locale of the click
 * that asked for them: rendered here and sent by the channel notifier, never from a dialog.
 */
export class LinkNotices {
  constructor(
    private readonly localizer: Localizer,
    private readonly procedure: Pick<LinkProcedure, 'notifyOnce'>,
    private readonly notifier: ChannelNotifier,
    /** The change records, whose audit trails hold the link's approvals (issue 29). */
    private readonly changes?: Pick<ChangeRecordStore, 'get'>,
  ) {}

  /**
   * Tells the channels that the link is complete, once per flow (src/link/procedure.ts
   * `notifyOnce`: a job run again, or a result handled twice, does not tell them twice), with who
   * approved it and when under the tenant's approval policy (the change record's audit trail).
   * @param locale the locale of the click that started the access job ('' for the default)
   * @returns how many channels were told
   * @throws Error from storage, or from the notifier when no channel could be reached
   */
  async linked(
    flowId: string,
    facts: LinkNoticeFacts,
    granted: readonly GrantResult[],
    locale: string,
  ): Promise<number> {
    const { subscription, org, office365, portalUrl } = facts;
    const cards = new LinkCards(this.localizer, locale || undefined);
    const record = await this.changes?.get(flowId);
    const approvals = recordedDecisions(record?.audit ?? []);
    const card = cards.channelNotice(subscription, org, office365, granted, portalUrl, approvals);
    return this.procedure.notifyOnce(flowId, org.tenantId, card);
  }

  /**
   * Tells the channels that a dry run of a link was made by `name` (nothing changed).
   * @returns how many channels were told
   */
  dryRun(
    facts: Pick<LinkNoticeFacts, 'subscription' | 'org'>,
    name: string,
    locale: string | undefined,
  ): Promise<number> {
    const t = (k: string, p: Record<string, string>) => this.localizer.t(locale, k, p);
    const names = {
      subscription: facts.subscription.displayName,
      directory: facts.org.displayName,
    };
    const card = renderCard('outcome', {
      title: t('dryRun.channel', names),
      text: t('dryRun.channelText', { ...names, name }),
      color: 'Default',
      facts: [],
    });
    return this.notifier.notify(facts.org.tenantId, card);
  }
}

/**
 * Whether a Bot Connector error says the bot was removed from the team (403
 * `BotNotInConversationRoster`, DESIGN.md "Known traps").
 */
function removedFromTeam(err: unknown): boolean {
  const status = (err as { statusCode?: number }).statusCode;
  return status === 403 || /BotNotInConversationRoster/.test(String((err as Error).message));
}

/** Sends `card` in the turn's conversation; the message's activity id. */
async function sendCard(
  context: TurnContext,
  card: Record<string, unknown>,
): Promise<string | undefined> {
  return (await context.sendActivity({ attachments: [cardAttachment(card as AdaptiveCardJson)] }))
    ?.id;
}
