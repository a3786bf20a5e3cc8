import type { TurnContext } from 'botbuilder';
import { cardAttachment, renderCard } from '../cards/render';
import type { Localizer } from '../i18n';
import type { ChangeRecordStore } from '../state/changeRecords';
import { plainText } from '../i18n/markdown';

/**
 * The `history` command: the last links into the conversation's directory as a card (what, who,
 * when, where it stands), and `history json` for the full records (backup of the removed role
 * assignments and the audit trail with ARM's correlation ids) as JSON to copy. Only records whose
 * destination is the conversation's tenant are shown.
 */

/** How many links the card lists. */
export const HISTORY_LIMIT = 10;

/**
 * Answers the `history` command in the turn.
 * @param json whether to send the records as JSON instead of a card
 */
export async function sendHistory(
  context: TurnContext,
  localizer: Localizer,
  changes: ChangeRecordStore,
  json: boolean,
): Promise<void> {
  const locale = context.activity.locale;
  const t = (key: string, params?: Record<string, string | number>): string =>
    localizer.t(locale, key, params);
  const tenantId =
    (context.activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    context.activity.conversation.tenantId ??
    '';
  const records = await changes.recent(tenantId, HISTORY_LIMIT);
  if (records.length === 0) {
    await context.sendActivity(t('history.none'));
    return;
  }
  if (json) {
    await context.sendActivity({
      textFormat: 'markdown',
      text: `\`\`\`json\n${JSON.stringify(records, null, 2)}\n\`\`\``,
    });
    return;
  }
  const card = renderCard('outcome', {
    title: t('history.title', { count: records.length }),
    text: t('history.text'),
    color: 'Default',
    facts: records.map((r) => ({
      title: `${plainText(r.subscriptionName)} · ${r.updatedAt.slice(0, 16).replace('T', ' ')} UTC`,
      value: t('history.row', { status: t(`history.status.${r.status}`), name: r.initiatorName }),
    })),
  });
  await context.sendActivity({ attachments: [cardAttachment(card)] });
}
