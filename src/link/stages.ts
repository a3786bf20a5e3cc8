import type { SignedInAccount } from '../auth/signIn';
import type {
  AzureSubscription,
  DirectoryPerson,
  Organization,
  PlannedWrite,
} from '../domain/model';
import { TenantlinkError } from '../errors';

/**
 * The stages of a link flow, as the dialog keeps them across turns (JSON, no token): each stage
 * adds what the step that reaches it learned, and a later step asserts its stage before reading
 * it (no non-null assertion anywhere). The jobs' own stages extend {@link FlowRef} (procedure.ts).
 */

/** The flow as it starts: who started it, and how. */
export interface FlowStart {
  readonly flowId: string;
  readonly initiatorId: string;
  readonly initiatorName: string;
  /** A dry run: every read, no write to Graph or ARM; the writes are listed instead. */
  readonly dryRun?: boolean;
  /** The writes a dry run would have made so far, in order. */
  plan?: PlannedWrite[];
}

/** After the Office 365 sign-in: the admin and their organization. */
export interface SignedInFlow extends FlowStart {
  readonly office365: SignedInAccount;
  readonly org: Organization;
}

/** After the Azure sign-in and the preflight: the subscriptions offered, and directory names. */
export interface OfferedFlow extends SignedInFlow {
  readonly azure: SignedInAccount;
  readonly owned: AzureSubscription[];
  /** Display names of the directories the Azure account sees, by tenant id. */
  readonly directoryNames: Record<string, string>;
}

/** After the choice: the subscription and the name of the directory it trusts today. */
export interface ChosenFlow extends OfferedFlow {
  readonly subscription: AzureSubscription;
  readonly sourceName: string;
}

/**
 * State kept across the waterfall's turns (no tokens: they come from the token service). Each
 * stage's fields are filled by the step that reaches it; a later step asserts its stage
 * ({@link assertSignedIn}, {@link assertOffered}, {@link assertChosen}) and then reads them.
 */
export type LinkState = FlowStart & {
  office365?: SignedInAccount;
  org?: Organization;
  azure?: SignedInAccount;
  owned?: AzureSubscription[];
  directoryNames?: Record<string, string>;
  subscription?: AzureSubscription;
  sourceName?: string;
  /** The users the grant card listed (its first page). */
  grantUsers?: DirectoryPerson[];
};

/** The fields each stage adds to the one before it. */
const SIGNED_IN_FIELDS = ['office365', 'org'] as const;
const OFFERED_FIELDS = [...SIGNED_IN_FIELDS, 'azure', 'owned', 'directoryNames'] as const;
const CHOSEN_FIELDS = [...OFFERED_FIELDS, 'subscription', 'sourceName'] as const;

/**
 * Throws when `s` lacks any of `fields` (a state from another version, or a bug).
 * @throws TenantlinkError `internal` naming the stage and the missing fields
 */
function requireStage(s: LinkState, stage: string, fields: readonly (keyof LinkState)[]): void {
  const missing = fields.filter((f) => s[f] === undefined);
  if (missing.length > 0)
    throw new TenantlinkError('internal', {
      detail: `link state of flow ${s.flowId} is not ${stage}: no ${missing.join(', ')}`,
    });
}

/**
 * Asserts that the Office 365 sign-in is done (the state's type narrows to {@link SignedInFlow}).
 * @throws TenantlinkError `internal` when it is not
 */
export function assertSignedIn(s: LinkState): asserts s is LinkState & SignedInFlow {
  requireStage(s, 'signed in', SIGNED_IN_FIELDS);
}

/**
 * Asserts that the subscriptions were offered (narrows to {@link OfferedFlow}).
 * @throws TenantlinkError `internal` when they were not
 */
export function assertOffered(s: LinkState): asserts s is LinkState & OfferedFlow {
  requireStage(s, 'offered', OFFERED_FIELDS);
}

/**
 * Asserts that the subscription was chosen (narrows to {@link ChosenFlow}).
 * @throws TenantlinkError `internal` when it was not
 */
export function assertChosen(s: LinkState): asserts s is LinkState & ChosenFlow {
  requireStage(s, 'chosen', CHOSEN_FIELDS);
}
