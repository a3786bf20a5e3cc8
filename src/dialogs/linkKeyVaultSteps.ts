import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { keyVaultReportCard } from '../cards/keyVaultReport';
import { cardAttachment, renderCard, type AdaptiveCardJson } from '../cards/render';
import { ERRORS, asTenantlinkError, errorFromJson } from '../errors';
import type { Localizer } from '../i18n';
import { fixKeyVaultsJob, type KeyVaultJobResult, type KeyVaultStage } from '../link/keyVaultJob';
import type { LinkProcedure } from '../link/procedure';
import { KEY_VAULT_STAGE, readStage } from '../link/stageSchemas';
import { createLogger } from '../log';
import type { ChangeRecordStore } from '../state/changeRecords';
import { answerInvoke, outcomeCard, parseCardAction } from './cardPrompt';
import { VERB_INPUTS } from './cardInputs';
import { checklistFacts } from './inventoryCards';
import { REFRESH_VERB, baseView, isShared } from './userSpecificViews';
import { type LinkStepKit } from './linkSteps';
import { assertChosen, type LinkState } from '../link/stages';
import {
  WaitForBackgroundDialog,
  jobResult,
  type BackgroundRunner,
  type WaitOptions,
} from './waitForBackground';

/**
 * The end of the link and after it: the after-move checklist of what the inventory found
 * (Microsoft's "Step 3: Re-create resources"), and, when the subscription has key vaults, the
 * offer to update them to the new directory (src/link/keyVaults.ts). The link ends with the card;
 * its **Update the key vaults** button starts {@link KeyVaultFixDialog}: an explicit step,
 * confirmed by the card's toggle, for the link's initiator only, run as a background job and
 * recorded in the change record's audit trail. Pressing it again changes nothing more.
 */

/** Id of the dialog that answers the checklist's key vault button. */
export const KEY_VAULT_FIX_DIALOG = 'keyVaultFixDialog';

/** Shows the checklist (with the key vault offer when there is one to make) and ends the link. */
export async function checklistStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const inventory = (await kit.deps.changes.get(s.flowId))?.inventory;
  const cards = kit.cards(step);
  const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
  const facts = inventory ? checklistFacts(t, inventory) : [];
  if (facts.length > 0) {
    const title = t('checklist.title', { subscription: s.subscription.displayName });
    const text = t('checklist.text', { directory: s.org.displayName });
    const vaults = inventory?.groups.find((g) => g.kind === 'keyVault')?.count ?? 0;
    const cardId = uuidv4();
    const offered = vaults > 0 && !s.dryRun;
    const card = !offered
      ? renderCard('outcome', { title, text, color: 'Default', facts })
      : renderCard('checklist', {
          flowId: s.flowId,
          cardId,
          title,
          text,
          facts,
          offerText: t('checklist.offer', { count: vaults, directory: s.org.displayName }),
          offerLabel: t('checklist.fix'),
          confirmLabel: t('checklist.confirmLabel', { directory: s.org.displayName }),
          requiredMessage: t('checklist.confirmMissing'),
          fixLabel: t('checklist.fix'),
          laterLabel: t('checklist.later'),
        });
    if (offered && isShared(step.context.activity)) {
      // A shared card's buttons would be everyone's: the message is read-only, and the
      // initiator's client gets the offer with a refresh (answerChecklistRefresh).
      await kit.deps.changes.update(s.flowId, (r) => void (r.checklist = { cardId, card }));
      const note = t('card.onlyInitiator', { name: s.initiatorName });
      const ids = { flowId: s.flowId, cardId, standing: 'checklist' } as const;
      await step.context.sendActivity({
        attachments: [cardAttachment(baseView(card, note, ids, s.initiatorId))],
      });
    } else await step.context.sendActivity({ attachments: [cardAttachment(card)] });
  }
  return kit.end(step, s, 'linked');
}

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
    const answer = VERB_INPUTS['keyvault.fix'].safeParse(action?.data ?? {});
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
