import { z } from 'zod';
import { GRANTABLE_ROLES, type GrantableRole } from '../domain/roles';
import { TenantlinkError } from '../errors';

/**
 * The verbs of tenantlink's cards declared once: each verb's name, the zod schema of the inputs
 * its click carries (a list of ids, a role, a boolean: a step never splits strings itself;
 * unknown fields are dropped) and who answers it. The card prompts, the routing of the root
 * dialog and the bot, and the stages read them from here.
 */

/** An input left empty reads as absent (its default applies). */
const blankIsAbsent = (v: unknown): unknown => (v === '' ? undefined : v);

/** `'true'`/`'false'` of an Input.Toggle, as a boolean (absent: false). */
const toggle = z.preprocess(
  blankIsAbsent,
  z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
);

/** A multi-select ChoiceSet's comma-separated values, as a list. */
const list = z.string().transform((v) => v.split(',').filter((x) => x !== ''));

/**
 * The verbs of tenantlink's cards, by name: the only TypeScript file where a verb is spelled (the
 * card templates under cards/ spell them in their JSON; test/unit/verbs.test.ts checks both
 * agree).
 */
export const VERB = {
  start: 'link.start',
  cancel: 'link.cancel',
  selectAccount: 'signin.select',
  restartSignIn: 'signin.restart',
  chooseSubscription: 'subscription.choose',
  continueImpact: 'impact.continue',
  confirmMove: 'move.confirm',
  verifyMove: 'move.verify',
  grantAccess: 'access.grant',
  fixKeyVaults: 'keyvault.fix',
  checklistLater: 'checklist.done',
  historyOpen: 'history.open',
  historyExport: 'history.export',
  /** The automatic invoke of a user-specific view (src/dialogs/userSpecificViews.ts). */
  refresh: 'card.refresh',
} as const;

/**
 * Who answers a verb's click:
 * - `prompt`: the card prompt that waits for it, in the dialog that showed the card (cardPrompt.ts
 *   checks the flow, the card, the initiator, the inputs);
 * - `checklist`: the after-move checklist, a card that outlives its link (its one handler,
 *   src/dialogs/link/checklistDialog.ts, begun by the root dialog);
 * - `history`: the history cards (src/dialogs/history.ts `answerHistoryAction`, asked by the bot
 *   before any dialog: they outlive every link);
 * - `view`: whichever answers the card it refreshes (its prompt, or the standing card its data
 *   names).
 */
export type VerbHandler = 'prompt' | 'checklist' | 'history' | 'view';

/**
 * Each verb: the schema of its inputs and its handler. A click's `data` (Teams merges the card's
 * inputs into it, as strings) is read through its verb's schema, so a step gets typed values.
 */
export const VERBS = {
  [VERB.start]: { inputs: z.object({}), handler: 'prompt' },
  [VERB.cancel]: { inputs: z.object({}), handler: 'prompt' },
  [VERB.selectAccount]: {
    inputs: z.object({ choice: z.string().optional(), subscriptionId: z.string().optional() }),
    handler: 'prompt',
  },
  [VERB.restartSignIn]: { inputs: z.object({}), handler: 'prompt' },
  [VERB.chooseSubscription]: {
    inputs: z.object({ subscriptionId: z.string() }),
    handler: 'prompt',
  },
  // The impact card's acknowledgements (`ack_<kind>`), checked by the card's rules.
  [VERB.continueImpact]: { inputs: z.object({}), handler: 'prompt' },
  [VERB.confirmMove]: { inputs: z.object({ typedName: z.string() }), handler: 'prompt' },
  [VERB.verifyMove]: { inputs: z.object({}), handler: 'prompt' },
  [VERB.grantAccess]: {
    inputs: z.object({
      principalIds: list,
      role: z
        .enum(GRANTABLE_ROLES as unknown as [GrantableRole, ...GrantableRole[]])
        .default('Owner'),
      restore: toggle,
      /** The restorable assignments left checked; absent: all of them. */
      restoreIds: z.string().optional(),
    }),
    handler: 'prompt',
  },
  [VERB.fixKeyVaults]: { inputs: z.object({ confirmKeyVaults: toggle }), handler: 'checklist' },
  [VERB.checklistLater]: { inputs: z.object({}), handler: 'checklist' },
  // The history cards' buttons (src/dialogs/history.ts): the link is the action's flowId.
  [VERB.historyOpen]: { inputs: z.object({}), handler: 'history' },
  [VERB.historyExport]: { inputs: z.object({}), handler: 'history' },
  [VERB.refresh]: { inputs: z.object({}), handler: 'view' },
} as const satisfies Record<
  (typeof VERB)[keyof typeof VERB],
  { readonly inputs: z.ZodTypeAny; readonly handler: VerbHandler }
>;

/** Verbs of tenantlink's cards. */
export type Verb = keyof typeof VERBS;

/** The typed inputs of a verb. */
export type VerbInputs<V extends Verb> = z.output<(typeof VERBS)[V]['inputs']>;

/**
 * The standing card that answers `verb` (a card that outlives its flow), or undefined for a verb
 * that a prompt (or a refresh) answers.
 */
export function standingHandler(verb: string): 'checklist' | undefined {
  const entry = (VERBS as Readonly<Record<string, { readonly handler: VerbHandler }>>)[verb];
  return entry?.handler === 'checklist' ? 'checklist' : undefined;
}

/**
 * Reads a click's inputs as `verb`'s.
 * @throws TenantlinkError cardInvalid when they do not fit (the card prompt refuses such a click
 *   before a step sees it, so this is a step reading another verb's answer: a bug)
 */
export function inputsOf<V extends Verb>(
  action: { readonly verb: string; readonly inputs: Readonly<Record<string, string>> },
  verb: V,
): VerbInputs<V> {
  const parsed = VERBS[verb].inputs.safeParse(action.inputs);
  if (action.verb !== verb || !parsed.success)
    throw new TenantlinkError('cardInvalid', {
      detail: `inputs of ${action.verb} read as ${verb}`,
    });
  return parsed.data as VerbInputs<V>;
}

/** Whether a click's inputs fit its verb's schema. */
export function fitsVerb(verb: Verb, inputs: Readonly<Record<string, string>>): boolean {
  return VERBS[verb].inputs.safeParse(inputs).success;
}
