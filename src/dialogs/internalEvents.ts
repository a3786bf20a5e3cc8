import { ActivityTypes, type TurnContext } from 'botbuilder';

/**
 * tenantlink wakes its own conversations with event activities (a background job's result, the
 * wake-up of an interrupted job, the end of a sign-in in a browser), run through the bot by the
 * background runner. Those events never come from the wire: an event activity posted to
 * /api/messages with the same name (by a Direct Line client, or anyone in local mode) must not
 * pass for a job's result or a completed sign-in. The runner marks its own turns in the turn's
 * state, which no activity can set; the dialogs accept only marked events.
 */

/** Turn-state key of the mark (a symbol: no JSON can carry it). */
const INTERNAL = Symbol('tenantlink.internalEvent');

/** Marks a turn that tenantlink itself runs as an event (called by the background runner only). */
export function markInternalEvent(context: TurnContext): void {
  context.turnState.set(INTERNAL, true);
}

/**
 * Whether the turn is tenantlink's own event named `name`.
 * @returns false for any activity from the wire, whatever its type and name
 */
export function isInternalEvent(context: TurnContext, name: string): boolean {
  return (
    context.activity.type === ActivityTypes.Event &&
    context.activity.name === name &&
    context.turnState.get(INTERNAL) === true
  );
}
