import { ApprovalCards } from '../dialogs/approvalCards';
import type { AccessNotices } from '../dialogs/link/accessDialog';
import type { ApprovalPorts } from '../dialogs/link/approvalDialog';
import type { Localizer } from '../i18n';
import type { LinkNotices } from './channelNotifier';

/**
 * The dry run (`link dry run`, `dry run`): the same link dialogs wired a second time by the
 * composition root (src/bot/compose.ts), on recording ports: reads reach the clouds, writes are
 * listed instead of made (src/link/dryRun.ts: the move and access jobs that record, the lock that
 * never blocks anyone), the approval request is recorded instead of posted, the team channels get
 * the dry run's notice, and the welcome card says what a dry run does. The dialogs never ask
 * whether they run dry: they show what these ports answer. The writes' plan card and closing
 * message are src/cards/plannedWrites.ts.
 */

/** Id of the link dialog on recording ports. */
export const DRY_RUN_LINK_DIALOG = 'linkDialog.dryRun';

/** The commands that begin it (their words as src/dialogs/rootDialog.ts `commandWords` spells them). */
export const DRY_RUN_COMMANDS: Readonly<Record<string, string>> = {
  'link dry run': DRY_RUN_LINK_DIALOG,
  'dry run': DRY_RUN_LINK_DIALOG,
};

/** The dry run's note on the welcome card (what a dry run does and does not), in a locale. */
export function dryRunWelcomeNote(localizer: Localizer): (locale: string | undefined) => string {
  return (locale) => localizer.t(locale, 'dryRun.note');
}

/** The telemetry's tags of the dry run's link (attribute `tenantlink.dry_run`). */
export const DRY_RUN_TRACE = { dryRun: true } as const;

/**
 * The approval port of the dry run: records the approval request (`POST` of the approval card to
 * the policy's team channel, with who would be asked, in the turn's locale) instead of making the
 * request and posting the card.
 */
export function recordApprovalRequest(localizer: Localizer): ApprovalPorts['requestApproval'] {
  return async (stage, locale) => {
    const cards = new ApprovalCards(localizer, locale);
    const { channel } = stage.policy;
    const summary = cards.t('approval.dryRun', {
      asked: cards.asked(stage.policy),
      channel: channel.name,
    });
    return {
      kind: 'recorded',
      writes: [{ method: 'POST', path: `/teams/${channel.teamId}/approval`, summary }],
    };
  };
}

/**
 * The notices of the dry run: when its access job is done, the team channels are told that a dry
 * run of the link was made by its initiator and that nothing changed (sent by the channel
 * notifier, src/bot/channelNotifier.ts `LinkNotices.dryRun`).
 */
export function dryRunNotices(notices: Pick<LinkNotices, 'dryRun'>): AccessNotices {
  return {
    linked: (_flowId, facts, _granted, locale) =>
      notices.dryRun(facts, facts.initiatorName, locale || undefined),
  };
}
