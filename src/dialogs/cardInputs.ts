import { z } from 'zod';
import { GRANTABLE_ROLES, type GrantableRole } from '../domain/roles';
import { TenantlinkError } from '../errors';

/**
 * The inputs each card verb carries, as zod schemas: a click's `data` (Teams merges the card's
 * inputs into it, as strings) is read through the schema of its verb, so a step gets typed values
 * (a list of ids, a role, a boolean) and never splits strings itself. Unknown fields are dropped.
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

/** The schema of each verb's inputs. */
export const VERB_INPUTS = {
  'link.start': z.object({}),
  'link.cancel': z.object({}),
  'signin.select': z.object({
    choice: z.string().optional(),
    subscriptionId: z.string().optional(),
  }),
  'signin.restart': z.object({}),
  'subscription.choose': z.object({ subscriptionId: z.string() }),
  // The impact card's acknowledgements (`ack_<kind>`), checked by the card's rules.
  'impact.continue': z.object({}),
  'move.confirm': z.object({ typedName: z.string() }),
  'move.verify': z.object({}),
  'access.grant': z.object({
    principalIds: list,
    role: z
      .enum(GRANTABLE_ROLES as unknown as [GrantableRole, ...GrantableRole[]])
      .default('Owner'),
    restore: toggle,
    /** The restorable assignments left checked; absent: all of them. */
    restoreIds: z.string().optional(),
  }),
  'keyvault.fix': z.object({ confirmKeyVaults: toggle }),
  'checklist.done': z.object({}),
  // The history cards' buttons (src/dialogs/history.ts): the link is the action's flowId.
  'history.open': z.object({}),
  'history.export': z.object({}),
} as const;

/** Verbs of tenantlink's cards. */
export type Verb = keyof typeof VERB_INPUTS;

/** The typed inputs of a verb. */
export type VerbInputs<V extends Verb> = z.output<(typeof VERB_INPUTS)[V]>;

/**
 * Reads a click's inputs as `verb`'s.
 * @throws TenantlinkError cardInvalid when they do not fit (the card prompt refuses such a click
 *   before a step sees it, so this is a step reading another verb's answer: a bug)
 */
export function inputsOf<V extends Verb>(
  action: { readonly verb: string; readonly inputs: Readonly<Record<string, string>> },
  verb: V,
): VerbInputs<V> {
  const parsed = VERB_INPUTS[verb].safeParse(action.inputs);
  if (action.verb !== verb || !parsed.success)
    throw new TenantlinkError('cardInvalid', {
      detail: `inputs of ${action.verb} read as ${verb}`,
    });
  return parsed.data as VerbInputs<V>;
}

/** Whether a click's inputs fit its verb's schema. */
export function fitsVerb(verb: Verb, inputs: Readonly<Record<string, string>>): boolean {
  return VERB_INPUTS[verb].safeParse(inputs).success;
}
