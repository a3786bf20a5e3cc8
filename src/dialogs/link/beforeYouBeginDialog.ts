import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { cardAttachment, renderCard } from '../../cards/render';
import type { AzureSubscription } from '../../domain/model';
import { allPassed } from '../../domain/rules';
import { TenantlinkError } from '../../errors';
import type { CloudClients } from '../../link/ports';
import { runPreflight } from '../../link/preflight';
import type { LinkProcedure } from '../../link/procedure';
import type { AzureSignedInFlow, ChosenFlow } from '../../link/stages';
import type { VerbInputs } from '../verbs';
import { screenSubscriptions } from '../chooseEligibility';
import { LinkStageDialog, type StagePorts } from './linkStageDialog';
import { VERB } from '../verbs';

/**
 * Seed step 2, "Before you begin": the rules R1–R5 (src/domain/rules.ts), then the choice of the
 * subscription among those the Azure account owns outside the Office 365 directory and Microsoft
 * lets change directory.
 */

/** Id of the stage. */
export const BEFORE_YOU_BEGIN_STAGE = 'linkStage.beforeYouBegin';

/** What the stage uses. */
export interface BeforeYouBeginPorts extends StagePorts {
  readonly procedure: Pick<LinkProcedure, 'setStatus' | 'unlock' | 'directory' | 'azure'>;
  /** User-realm lookup (rule R5). */
  readonly userRealm: CloudClients['userRealm'];
}

/** What the choice card offered (carried to its answer). */
interface Offer {
  readonly owned: readonly AzureSubscription[];
  readonly directoryNames: Readonly<Record<string, string>>;
}

/** The rules and the choice; ends with the chosen subscription. */
export class BeforeYouBeginDialog extends LinkStageDialog<
  AzureSignedInFlow,
  ChosenFlow,
  AzureSignedInFlow
> {
  constructor(private readonly deps: BeforeYouBeginPorts) {
    super(BEFORE_YOU_BEGIN_STAGE, deps);
    this.steps([
      ['preflight', (step, flow) => this.preflight(step, flow)],
      [
        'choose',
        this.answered(VERB.chooseSubscription, (step, flow, inputs, offer: Offer) =>
          this.chosen(step, flow, inputs, offer),
        ),
      ],
    ]);
  }

  protected enter(_context: TurnContext, options: AzureSignedInFlow): AzureSignedInFlow {
    return options;
  }

  /** The rules; when they pass, the subscriptions that can move are offered on a card. */
  private async preflight(
    step: WaterfallStepContext<AzureSignedInFlow>,
    flow: AzureSignedInFlow,
  ): Promise<DialogTurnResult> {
    const cards = this.cards(step);
    const azure = this.deps.procedure.azure(flow.initiatorId, 'azure');
    const report = await runPreflight(
      this.deps.procedure.directory(flow.initiatorId, 'office365'),
      azure,
      (email) => this.deps.userRealm(email),
      flow.azure,
    );
    await step.context.sendActivity({
      attachments: [cardAttachment(cards.preflight(report.results))],
    });
    this.log.info(
      { flowId: flow.flowId, failed: report.results.filter((r) => !r.passed).map((r) => r.rule) },
      'preflight',
    );
    if (!allPassed(report.results)) {
      await step.context.sendActivity(cards.t('preflight.stop'));
      return this.end(step, flow, 'preflightFailed');
    }
    const outside = report.ownedSubscriptions.filter((x) => x.tenantId !== flow.org.tenantId);
    if (outside.length === 0) {
      await step.context.sendActivity(cards.t('choose.none', { directory: flow.org.displayName }));
      return this.end(step, flow, 'nothingToLink');
    }
    // Offers and states Microsoft documents as unable to change directory are never offered.
    const screened = screenSubscriptions(outside, (key, params) => cards.t(key, params));
    for (const note of screened.notes) await step.context.sendActivity(note);
    if (screened.blocked.length > 0)
      this.log.info({ flowId: flow.flowId, blocked: screened.blocked }, 'cannot change directory');
    const candidates = screened.movable;
    if (candidates.length === 0) {
      await step.context.sendActivity(
        cards.t('choose.noneMovable', { directory: flow.org.displayName }),
      );
      return this.end(step, flow, 'nothingToLink');
    }
    const tenants = await azure.listTenants();
    const directoryNames = Object.fromEntries(tenants.map((t) => [t.tenantId, t.displayName]));
    const names = new Map(Object.entries(directoryNames));
    const ids = { flowId: flow.flowId, cardId: uuidv4() };
    const data = cards.chooseSubscription(ids, candidates, names);
    const offer: Offer = { owned: candidates, directoryNames };
    return this.ask(
      step,
      flow,
      {
        cardId: ids.cardId,
        card: renderCard('chooseSubscription', data),
        verbs: [VERB.chooseSubscription],
        // More subscriptions than the card lists: the card's typeahead searches all of them.
        ...(data.dataset
          ? {
              search: {
                dataset: data.dataset,
                choices: candidates.map((c) => cards.subscriptionChoice(c, names)),
              },
            }
          : {}),
        rules: {
          [VERB.chooseSubscription]: {
            required: ['subscriptionId'],
            oneOf: { subscriptionId: candidates.map((c) => c.subscriptionId) },
          },
        },
      },
      offer,
    );
  }

  /** The subscription chosen (the card's rules accept only an offered one). */
  private async chosen(
    step: WaterfallStepContext<AzureSignedInFlow>,
    flow: AzureSignedInFlow,
    { subscriptionId }: VerbInputs<typeof VERB.chooseSubscription>,
    offer: Offer,
  ): Promise<DialogTurnResult> {
    const subscription = offer.owned.find((x) => x.subscriptionId === subscriptionId);
    if (!subscription)
      throw new TenantlinkError('cardInvalid', { detail: 'subscription not offered' });
    const sourceName = offer.directoryNames[subscription.tenantId] ?? subscription.tenantId;
    return this.next(step, { ...flow, ...offer, subscription, sourceName });
  }
}
