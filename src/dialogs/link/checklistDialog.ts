import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { keyVaultReportCard } from '../../cards/keyVaultReport';
import { cardAttachment, renderCard, type AdaptiveCardJson } from '../../cards/render';
import { ERRORS, asTenantlinkError, errorFromJson } from '../../errors';
import type { Localizer } from '../../i18n';
import type { KeyVaultJobResult, KeyVaultStage } from '../../link/keyVaultJob';
import { KEY_VAULT_STAGE, readStage } from '../../link/stageSchemas';
import { createLogger } from '../../log';
import type { ChangeRecordStore } from '../../state/changeRecords';
import { answerInvoke, outcomeCard, parseCardAction } from '../cardPrompt';
import { VERB, VERBS } from '../verbs';
import { baseView } from '../userSpecificViews';
import {
  WaitForBackgroundDialog,
  jobResult,
  type BackgroundRunner,
  type WaitOptions,
} from '../waitForBackground';

/**
 * The after-move checklist's one handler (afterMoveDialog.ts posts the card; the link has ended by
 * the time it is answered, so the root dialog begins this for its verbs, src/dialogs/verbs.ts):
 * - **Update the key vaults**: an explicit step, confirmed by the card's toggle, for the link's
 *   initiator only, run as a background job (src/link/keyVaultJob.ts) and recorded in the change
 *   record's audit trail. Pressing it again changes nothing more.
 * - **Later**: the card says so.
 * - Teams' refresh of a checklist posted to a shared conversation ({@link ChecklistDialog.refresh}).
 */

/** Id of the dialog that answers the checklist's buttons. */
export const CHECKLIST_DIALOG = 'checklistDialog';

/** A card action as `parseCardAction` reads it. */
type CardActionData = NonNullable<ReturnType<typeof parseCardAction>>;

/** What the checklist's handler uses. */
export interface ChecklistPorts {
  readonly changes: Pick<ChangeRecordStore, 'get'>;
  /** The update (src/link/keyVaultJob.ts `fixKeyVaultsJob`), as the Teams user `userId`. */
  readonly keyVaultJob: (userId: string, stage: KeyVaultStage) => Promise<KeyVaultJobResult>;
  readonly background: BackgroundRunner;
  readonly localizer: Localizer;
}

/** The stage of the checklist's only job. */
interface KeyVaultJobStages {
  readonly keyVaults: KeyVaultStage;
}

const WAIT = 'keyVaultWait';

/** Answers the checklist's buttons and refreshes (see the module comment). */
export class ChecklistDialog extends ComponentDialog {
  private readonly log = createLogger('key-vault-fix');

  constructor(private readonly deps: ChecklistPorts) {
    super(CHECKLIST_DIALOG);
    this.addDialog(
      new WaitForBackgroundDialog<KeyVaultJobStages>(
        WAIT,
        deps.background,
        {
          keyVaults: (userId, stage) =>
            deps.keyVaultJob(userId, readStage(KEY_VAULT_STAGE, stage, 'keyVaults')),
        },
        deps.localizer,
      ),
    );
    this.addDialog(
      new WaterfallDialog(`${CHECKLIST_DIALOG}.steps`, [
        this.start.bind(this),
        this.report.bind(this),
      ]),
    );
    this.initialDialogId = `${CHECKLIST_DIALOG}.steps`;
  }

  /**
   * Answers Teams' refresh of a checklist posted to a group chat or channel (its user-specific
   * view, src/dialogs/userSpecificViews.ts): the full card with the key vault offer for the link's
   * initiator, the read-only card for anyone else. No dialog waits for it (another link may run
   * in the conversation): the bot asks this first for every card action, parsed.
   * @returns whether the turn was such a refresh (and is answered)
   * @throws Error from storage
   */
  async refresh(context: TurnContext, action: CardActionData): Promise<boolean> {
    const data = action.data;
    if (action.verb !== VERB.refresh || data.standing !== 'checklist') return false;
    const flowId = typeof data.flowId === 'string' ? data.flowId : '';
    const record = flowId ? await this.deps.changes.get(flowId) : undefined;
    const kept = record?.checklist;
    if (!record || !kept || kept.cardId !== data.cardId) return false;
    const ids = { flowId, cardId: kept.cardId, standing: 'checklist' } as const;
    const view = { ...ids, initiatorId: record.initiatorId };
    const card = kept.card as AdaptiveCardJson;
    if (context.activity.from.id === record.initiatorId) {
      await answerInvoke(context, card, view);
      return true;
    }
    const note = this.deps.localizer.t(context.activity.locale, 'card.onlyInitiator', {
      name: record.initiatorName,
    });
    await answerInvoke(context, baseView(card, note, ids, record.initiatorId), view);
    return true;
  }

  private t(
    step: WaterfallStepContext,
    key: string,
    params?: Record<string, string | number>,
  ): string {
    return this.deps.localizer.t(step.context.activity.locale, key, params);
  }

  private async start(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const action = parseCardAction(step.context);
    if (action?.verb === VERB.checklistLater) {
      await answerInvoke(step.context, outcomeCard(this.t(step, 'checklist.laterDone')));
      return step.endDialog();
    }
    const flowId = typeof action?.data.flowId === 'string' ? action.data.flowId : '';
    const record = flowId ? await this.deps.changes.get(flowId) : undefined;
    const from = step.context.activity.from;
    // Only a finished link's own checklist, answered by the person who started the link.
    if (!record || (record.status !== 'notified' && record.status !== 'accessGranted')) {
      await answerInvoke(step.context, outcomeCard(this.t(step, ERRORS.cardStale.messageKey)));
      return step.endDialog();
    }
    if (from.id !== record.initiatorId) {
      this.log.warn(
        { code: ERRORS.cardNotInitiator.code, flowId },
        'key vault update by someone else',
      );
      await step.context.sendActivity(
        this.t(step, ERRORS.cardNotInitiator.messageKey, {
          name: record.initiatorName,
          user: from.name ?? '',
        }),
      );
      return step.endDialog();
    }
    const answer = VERBS[VERB.fixKeyVaults].inputs.safeParse(action?.data ?? {});
    if (!answer.success || !answer.data.confirmKeyVaults) {
      // The card's toggle is required (Teams checks it); a payload without it changes nothing.
      this.log.info({ code: ERRORS.cardInvalid.code, flowId }, 'key vault update not confirmed');
      await step.context.sendActivity(this.t(step, 'checklist.confirmMissing'));
      return step.endDialog();
    }
    await answerInvoke(step.context, outcomeCard(this.t(step, 'keyVaults.working'), '', 'Good'));
    return step.beginDialog(WAIT, {
      waitId: `${flowId}:keyVaults`,
      job: {
        kind: 'keyVaults',
        params: {
          flowId,
          initiatorId: record.initiatorId,
          subscriptionId: record.subscriptionId,
          tenantId: record.destinationTenantId,
        },
      },
    } satisfies WaitOptions<KeyVaultJobStages>);
  }

  private async report(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = jobResult<KeyVaultJobResult>(step);
    if (!result.ok) {
      const e = asTenantlinkError(errorFromJson(result.error));
      this.log.warn({ code: e.code }, 'key vault update failed');
      await step.context.sendActivity(`${this.t(step, e.def.messageKey, e.params)} (${e.code})`);
      return step.endDialog();
    }
    const data = keyVaultReportCard((k, p) => this.t(step, k, p), result.value.results);
    await step.context.sendActivity({ attachments: [cardAttachment(renderCard('outcome', data))] });
    return step.endDialog();
  }
}
