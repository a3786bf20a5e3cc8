import type { SignedInAccount } from '../auth/signIn';
import type { AzureSubscription, Organization, PlannedWrite } from '../domain/model';

/**
 * The stages of a link flow, one type per seed stage: each stage dialog of src/dialogs/link/
 * takes the stage before it as its options and ends with its own (JSON, no token: the dialog
 * state keeps them across turns and restarts). A stage only adds what it learned, so a later
 * stage reads its fields with no assertion. The jobs' own stages extend `FlowRef` (procedure.ts).
 */

/** The flow as it starts: who started it, and how. */
export interface FlowStart {
  readonly flowId: string;
  readonly initiatorId: string;
  readonly initiatorName: string;
  /**
   * The writes the link's recording ports listed so far instead of making them, in order (a link
   * wired on them: src/link/dryRun.ts; the stages add what their jobs and ports answer).
   */
  readonly plan?: readonly PlannedWrite[];
}

/** After the Office 365 sign-in: the admin and their organization. */
export interface SignedInFlow extends FlowStart {
  readonly office365: SignedInAccount;
  readonly org: Organization;
}

/** After the Azure sign-in: the subscriptions' admin too. */
export interface AzureSignedInFlow extends SignedInFlow {
  readonly azure: SignedInAccount;
}

/** The before-you-begin rules passed and the subscriptions offered (the choice card's data). */
export interface OfferedFlow extends AzureSignedInFlow {
  readonly owned: readonly AzureSubscription[];
  /** Display names of the directories the Azure account sees, by tenant id. */
  readonly directoryNames: Readonly<Record<string, string>>;
}

/** After the choice: the subscription and the name of the directory it trusts today. */
export interface ChosenFlow extends OfferedFlow {
  readonly subscription: AzureSubscription;
  readonly sourceName: string;
}

/** After the review: the impact acknowledged and the subscription's name typed (its lock held). */
export type ConfirmedFlow = ChosenFlow;

/** After the approval stage: approved, or no policy asks for one (issue 29). */
export type ApprovedFlow = ChosenFlow;

/** After the move: the subscription trusts the Office 365 directory (or its writes are listed). */
export type MovedFlow = ChosenFlow;

/** After the access stage: accounts granted, tested, the team's channels told. */
export type AccessedFlow = ChosenFlow;

/** How a link ended (the link dialog's result). */
export interface LinkResult {
  readonly outcome:
    | 'linked'
    | 'cancelled'
    | 'preflightFailed'
    | 'failed'
    | 'nothingToLink'
    | 'subscriptionBusy'
    /** Stopped before the confirm card: a resource cannot change directory. */
    | 'blocked'
    /** Moved; the new directory did not show the subscription within the propagation wait. */
    | 'awaitingDirectory'
    /** An approver rejected the directory change (issue 29): nothing changed. */
    | 'rejected'
    /** The approvals did not come in time (issue 29): nothing changed. */
    | 'expired';
  readonly flowId: string;
}

/** How a stage dialog ends: on to the next stage with what it learned, or the link ended here. */
export type StageEnd<T> = { readonly next: T } | { readonly ended: LinkResult };
