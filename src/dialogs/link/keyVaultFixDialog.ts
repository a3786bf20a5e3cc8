import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { cardAttachment, renderCard, type AdaptiveCardJson } from '../../cards/render';
import { ERRORS, asTenantlinkError, errorFromJson } from '../../errors';
import type { Localizer } from '../../i18n';
import {
  fixKeyVaultsJob,
  type KeyVaultJobResult,
  type KeyVaultStage,
} from '../../link/keyVaultJob';
import type { LinkProcedure } from '../../link/procedure';
import { KEY_VAULT_STAGE, readStage } from '../../link/stageSchemas';
import { createLogger } from '../../log';
import type { ChangeRecordStore } from '../../state/changeRecords';
import { answerInvoke, outcomeCard, parseCardAction } from '../cardPrompt';
import { VERBS } from '../verbs';
import { REFRESH_VERB, baseView } from '../userSpecificViews';
import {
  WaitForBackgroundDialog,
  jobResult,
  type BackgroundRunner,
  type WaitOptions,
} from '../waitForBackground';
import { VERB } from '../verbs';

/**
 * After the move, once the link has ended: the checklist's **Update the key vaults** button
 * (afterMoveDialog.ts) starts {@link KeyVaultFixDialog}: an explicit step, confirmed by the card's
 * toggle, for the link's initiator only, run as a background job (src/link/keyVaultJob.ts) and
 * recorded in the change record's audit trail. Pressing it again changes nothing more. A checklist
 * posted to a shared conversation is refreshed per user by {@link answerChecklistRefresh}.
 */

/** Id of the dialog that answers the checklist's key vault button. */
export const KEY_VAULT_FIX_DIALOG = 'keyVaultFixDialog';

/** A card action as `parseCardAction` reads it. */
type CardActionData = NonNullable<ReturnType<typeof parseCardAction>>;

/**
 * Answers Teams' refresh of a checklist posted to a group chat or channel (its user-specific
 * view, src/dialogs/userSpecificViews.ts): the full card with the key vault offer for the link's
 * initiator, the read-only card for anyone else. The link has ended by then, so no dialog waits
 * for it: the bot asks this first for every card action, parsed (`parseCardAction`).
 * @returns whether the turn was such a refresh (and is answered)
 * @throws Error from storage
 */
export async function answerChecklistRefresh(
  context: TurnContext,
  action: CardActionData,
  changes: ChangeRecordStore,
  localizer: Localizer,
): Promise<boolean> {
  const data = action.data;
  if (action.verb !== REFRESH_VERB || data.standing !== 'checklist') return false;
  const flowId = typeof data.flowId === 'string' ? data.flowId : '';
  const record = flowId ? await changes.get(flowId) : undefined;
  const kept = record?.checklist;
  if (!record || !kept || kept.cardId !== data.cardId) return false;
  const ids = { flowId, cardId: kept.cardId, standing: 'checklist' } as const;
  const card = kept.card as AdaptiveCardJson;
  if (context.activity.from.id === record.initiatorId) {
    await answerInvoke(context, card, { ...ids, initiatorId: record.initiatorId });
    return true;
  }
  const note = localizer.t(context.activity.locale, 'card.onlyInitiator', {
    name: record.initiatorName,
  });
  await answerInvoke(context, baseView(card, note, ids, record.initiatorId), {
    ...ids,
    initiatorId: record.initiatorId,
  });
  return true;
}

/** What the key vault dialog needs. */
export interface KeyVaultFixDeps {
  readonly changes: ChangeRecordStore;
  /** Runs the update (src/link/keyVaultJob.ts) as the Office 365 admin. */
  readonly procedure: LinkProcedure;
  readonly background: BackgroundRunner;
  readonly localizer: Localizer;
}

/** The stage of the key vault dialog's only job. */
interface KeyVaultJobStages {
  readonly keyVaults: KeyVaultStage;
}

const WAIT = 'keyVaultWait';

/** Answers the checklist's key vault button (see the module comment). */
export class KeyVaultFixDialog extends ComponentDialog {
  private readonly log = createLogger('key-vault-fix');

  constructor(private readonly deps: KeyVaultFixDeps) {
    super(KEY_VAULT_FIX_DIALOG);
    this.addDialog(
      new WaitForBackgroundDialog<KeyVaultJobStages>(
        WAIT,
        deps.background,
        {
          keyVaults: (userId, stage) =>
            fixKeyVaultsJob(deps.procedure, userId, readStage(KEY_VAULT_STAGE, stage, 'keyVaults')),
        },
        deps.localizer,
      ),
    );
    this.addDialog(
      new WaterfallDialog(`${KEY_VAULT_FIX_DIALOG}.steps`, [
        this.start.bind(this),
        this.report.bind(this),
      ]),
    );
    this.initialDialogId = `${KEY_VAULT_FIX_DIALOG}.steps`;
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
    const { results } = result.value;
    await step.context.sendActivity({
      attachments: [
        cardAttachment(
          renderCard('outcome', {
            title: this.t(step, 'keyVaults.title'),
            text: '',
            color: results.some((r) => r.outcome === 'failed') ? 'Attention' : 'Good',
            facts: results.map((r) => ({
              title: r.name,
              value:
                r.outcome === 'updated'
                  ? this.t(step, 'keyVaults.updated', { policies: r.policies, dropped: r.dropped })
                  : r.outcome === 'alreadyDone'
                    ? this.t(step, 'keyVaults.alreadyDone')
                    : this.t(step, 'keyVaults.failed', { code: r.errorCode ?? '' }),
            })),
          }),
        ),
      ],
    });
    return step.endDialog();
  }
}
