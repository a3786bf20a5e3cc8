import { DEFAULT_SEED, type Seed } from '../../src/sandbox';

/** `T` with every `readonly` removed, all the way down (for editing a copy of the seed). */
export type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

/** A seed being edited: the typed, mutable copy {@link editedSeed} hands to its edit. */
export type SeedDraft = DeepMutable<Seed>;

/**
 * The seeds' world with `edit` applied to a deep copy (DEFAULT_SEED itself never changes). The
 * draft keeps the seed's types, so an added user, subscription or role assignment must be a valid
 * seed record.
 * @param edit changes the draft in place
 */
export function editedSeed(edit: (draft: SeedDraft) => void): Seed {
  const draft = structuredClone(DEFAULT_SEED) as SeedDraft;
  edit(draft);
  return draft as Seed;
}

/**
 * The draft's subscription `subscriptionId`.
 * @throws Error when the seed has no such subscription
 */
export function draftSubscription(
  draft: SeedDraft,
  subscriptionId: string,
): SeedDraft['subscriptions'][number] {
  const found = draft.subscriptions.find((s) => s.subscriptionId === subscriptionId);
  if (!found) throw new Error(`no subscription ${subscriptionId} in the seed`);
  return found;
}

/**
 * The draft's tenant (directory) `tenantId`.
 * @throws Error when the seed has no such tenant
 */
export function draftTenant(draft: SeedDraft, tenantId: string): SeedDraft['tenants'][number] {
  const found = draft.tenants.find((t) => t.id === tenantId);
  if (!found) throw new Error(`no tenant ${tenantId} in the seed`);
  return found;
}
