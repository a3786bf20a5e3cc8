import { ActivityTypes, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder';

/**
 * A turn's cards leave only once the conversation state that awaits their answers is saved.
 *
 * Several instances share one store, and a card's click may reach any of them. A card sent while
 * its turn is still running (its dialog state not yet written) can be clicked, and the click read
 * by another instance, before that write: the other instance then finds the previous dialog step
 * and answers the click as stale, and the flow waits forever. So from the first message with an
 * attachment on, a turn's messages are held and sent after the state is saved, in their order.
 * Text sent before any card, and every activity that is not a message (the invoke response,
 * typing), go out at once: none of them can be answered, and the invoke response must be in place
 * before the turn ends. A turn whose state is not saved (it lost an eTag race to another instance, or
 * the store failed) sends none of what it held: its cards would answer to nothing.
 *
 * The held messages get `{ id: '' }` as their resource response (tenantlink never reads a sent
 * message's id within its turn; cards are updated through the `replyToId` of their click).
 */
export class TurnOutbox {
  private readonly held: Partial<Activity>[] = [];
  private holding = true;

  /** Registers the outbox's send handler on `context` (call at the start of the turn). */
  constructor(private readonly context: TurnContext) {
    context.onSendActivities(async (_ctx, activities, next) => {
      if (!this.holding) return next();
      const heldNow = activities.map((a) => {
        // Only messages wait (in their order); an invoke response, typing or trace never does.
        const hold = isMessage(a) && (this.held.length > 0 || hasAttachment(a));
        if (hold) this.held.push(a);
        return hold;
      });
      const now = activities.filter((_, i) => !heldNow[i]);
      if (now.length === 0) return activities.map(() => ({ id: '' }));
      // `next` sends the handler's array: keep only what goes out now, in place.
      activities.splice(0, activities.length, ...now);
      const sent = await next();
      let j = 0;
      return heldNow.map((hold): ResourceResponse =>
        hold ? { id: '' } : (sent[j++] ?? { id: '' }),
      );
    });
  }

  /** How many messages are held now. */
  get size(): number {
    return this.held.length;
  }

  /**
   * Sends the held messages (the state is saved); later sends of the turn go out at once.
   * @throws Error from the channel's connector, as `sendActivities` does
   */
  async release(): Promise<void> {
    this.holding = false;
    const held = this.held.splice(0);
    if (held.length > 0) await this.context.sendActivities(held);
  }

  /**
   * Forgets the held messages (the state was not saved); later sends go out at once.
   * @returns how many were dropped
   */
  drop(): number {
    this.holding = false;
    return this.held.splice(0).length;
  }
}

/** Whether the activity is a message (what the chat shows, in order). */
function isMessage(activity: Partial<Activity>): boolean {
  return (activity.type ?? ActivityTypes.Message) === ActivityTypes.Message;
}

/** Whether the activity carries an attachment (a card that may await an answer). */
function hasAttachment(activity: Partial<Activity>): boolean {
  return (activity.attachments?.length ?? 0) > 0;
}
