import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { AzureSignedInFlow, SignedInFlow } from '../../link/stages';
import { LinkStageDialog, type StagePorts } from './linkStageDialog';

/**
 * Seed step 1, second half: the subscriptions' admin signs in to Azure (the sign-in dialog of the
 * mode; often another account than the Office 365 admin's).
 */

/** Id of the stage. */
export const SIGN_IN_AZURE_STAGE = 'linkStage.signInAzure';

/** What the stage uses. */
export interface SignInAzurePorts extends StagePorts {
  /** Id of the Azure sign-in dialog (registered beside the link dialog). */
  readonly signInDialogId: string;
}

/** Sign in to Azure; ends with both accounts. */
export class SignInAzureDialog extends LinkStageDialog<
  SignedInFlow,
  AzureSignedInFlow,
  SignedInFlow
> {
  constructor(private readonly deps: SignInAzurePorts) {
    super(SIGN_IN_AZURE_STAGE, deps);
    this.steps([
      ['signIn.azure', (step, flow) => this.signIn(step, flow)],
      ['signIn.azure.done', (step, flow) => this.signedInto(step, flow)],
    ]);
  }

  protected enter(_context: unknown, options: SignedInFlow): SignedInFlow {
    return options;
  }

  private signIn(step: WaterfallStepContext<SignedInFlow>, flow: SignedInFlow) {
    const { flowId, initiatorId, initiatorName } = flow;
    return step.beginDialog(this.deps.signInDialogId, { flowId, initiatorId, initiatorName });
  }

  private async signedInto(
    step: WaterfallStepContext<SignedInFlow>,
    flow: SignedInFlow,
  ): Promise<DialogTurnResult> {
    const azure = this.signedIn(step);
    if (!azure) return this.cancel(step, flow);
    return this.next(step, { ...flow, azure });
  }
}
