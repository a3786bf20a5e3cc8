import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import type { LinkProcedure } from '../../link/procedure';
import type { FlowStart, SignedInFlow } from '../../link/stages';
import { linkStarted } from '../../telemetry/linkTrace';
import { answerInvoke, outcomeCard } from '../cardPrompt';
import { LinkStageDialog, type StagePorts } from './linkStageDialog';
import { VERB } from '../verbs';

/**
 * Seed step 1, first half: the welcome card (what the link does, with the note its wiring gives),
 * then the Office 365 admin signs in (the sign-in dialog of the mode) and their organization is
 * read.
 */

/** Id of the stage. */
export const SIGN_IN_OFFICE365_STAGE = 'linkStage.signInOffice365';

/**
 * Options of the link: the first stage's (none: how a link runs is its wiring's, src/bot/compose.ts,
 * and the command that begins it chooses the wiring).
 */
export type LinkOptions = Readonly<Record<never, never>>;

/** What the stage uses. */
export interface SignInOffice365Ports extends StagePorts {
  readonly procedure: Pick<LinkProcedure, 'setStatus' | 'unlock' | 'directory'>;
  /** Id of the Office 365 sign-in dialog (registered beside the link dialog). */
  readonly signInDialogId: string;
  /** The welcome card's note in a locale (absent: the link's own note). */
  readonly welcomeNote?: (locale: string | undefined) => string;
}

/** Welcome, sign in to Office 365; ends with the admin and their organization. */
export class SignInOffice365Dialog extends LinkStageDialog<LinkOptions, SignedInFlow, FlowStart> {
  constructor(private readonly deps: SignInOffice365Ports) {
    super(SIGN_IN_OFFICE365_STAGE, deps);
    this.steps([
      ['welcome', (step, flow) => this.welcome(step, flow)],
      ['signIn.office365', this.answered(VERB.start, (step, flow) => this.signIn(step, flow))],
      ['signIn.office365.done', (step, flow) => this.signedInto(step, flow)],
    ]);
  }

  /** A new flow, started by the person whose turn this is. */
  protected enter(context: TurnContext, _options: LinkOptions): FlowStart {
    const from = context.activity.from;
    const flow: FlowStart = {
      flowId: uuidv4(),
      initiatorId: from.id,
      initiatorName: from.name ?? from.id,
    };
    linkStarted(this.traced(flow));
    return flow;
  }

  private welcome(step: WaterfallStepContext<FlowStart>, flow: FlowStart) {
    const ids = { flowId: flow.flowId, cardId: uuidv4() };
    const note = this.deps.welcomeNote?.(step.context.activity.locale);
    const card = this.cards(step).welcome(ids, note);
    return this.ask(step, flow, { cardId: ids.cardId, card, verbs: [VERB.start] });
  }

  private async signIn(
    step: WaterfallStepContext<FlowStart>,
    flow: FlowStart,
  ): Promise<DialogTurnResult> {
    await answerInvoke(
      step.context,
      outcomeCard(this.cards(step).t('welcome.started'), '', 'Good'),
    );
    const { flowId, initiatorId, initiatorName } = flow;
    return step.beginDialog(this.deps.signInDialogId, { flowId, initiatorId, initiatorName });
  }

  private async signedInto(
    step: WaterfallStepContext<FlowStart>,
    flow: FlowStart,
  ): Promise<DialogTurnResult> {
    const office365 = this.signedIn(step);
    if (!office365) return this.cancel(step, flow);
    const org = await this.deps.procedure.directory(flow.initiatorId, 'office365').organization();
    await step.context.sendActivity(
      this.cards(step).t('signIn.office365.ok', {
        name: office365.displayName,
        directory: org.displayName,
        domain: org.defaultDomain,
      }),
    );
    return this.next(step, { ...flow, office365, org });
  }
}
