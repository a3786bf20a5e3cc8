import { TeamsInfo, type TurnContext } from 'botbuilder';

/**
 * The Teams user ids ("user MRIs", `29:…`) of a team's members, read from the team's roster.
 * A card's Universal Actions `refresh.userIds` names users by these ids: Microsoft's Universal
 * Actions FAQ answers "Where can I find these user Ids or user MRIs?" with the roster
 * (MicrosoftDocs/msteams-docs PR #3114, example `29:1bSnHZ7Js2…`, pointing to
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/get-teams-context#fetch-the-roster-or-user-profile),
 * and Microsoft's sample bot-adaptivecards-user-specific-views (OfficeDev/Microsoft-Teams-Samples)
 * puts `context.activity.from.id` there, the same id as the roster member's `id`
 * (botframework-schema `TeamsChannelAccount`).
 */

/**
 * Members per roster page asked for: Teams' largest (a page size under 50 is read as 50, over 500
 * as 500, https://learn.microsoft.com/microsoftteams/platform/bots/how-to/get-teams-context#fetch-the-roster-or-user-profile).
 */
export const ROSTER_PAGE_SIZE = 500;

/**
 * The roster ids of the team members whose Microsoft Entra object id (`aadObjectId`) is one of
 * `objectIds` (compared case-insensitively), in the order of `objectIds`, each once; those not in
 * the team are left out. Reads the team's paged roster (`TeamsInfo.getPagedTeamMembers`,
 * `GET /v3/conversations/{teamId}/pagedmembers`) page after page (`continuationToken`) until
 * every object id is found or the roster ends.
 * @param context a turn in the team (e.g. the proactive turn that posts to its channel), whose
 *   connector client reads the roster
 * @param teamId the team's id (its General channel's conversation id)
 * @returns the members' `id`s (`29:…`)
 * @throws Error from the Bot Connector (e.g. 403 when the bot is not in the team, 404, 5xx)
 */
export async function teamMemberIds(
  context: TurnContext,
  teamId: string,
  objectIds: readonly string[],
): Promise<string[]> {
  const wanted = new Set(objectIds.map((id) => id.toLowerCase()));
  const found = new Map<string, string>();
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await TeamsInfo.getPagedTeamMembers(context, teamId, ROSTER_PAGE_SIZE, token);
    for (const member of page.members ?? []) {
      const objectId = member.aadObjectId?.toLowerCase();
      if (objectId && wanted.has(objectId) && member.id && !found.has(objectId))
        found.set(objectId, member.id);
    }
    token = page.continuationToken || undefined;
    // A token given twice would page forever: the roster ends there.
    if (token !== undefined) {
      if (seen.has(token)) break;
      seen.add(token);
    }
  } while (token !== undefined && found.size < wanted.size);
  return [...wanted].flatMap((id) => {
    const member = found.get(id);
    return member ? [member] : [];
  });
}
