import { z } from 'zod';
import { GRANTABLE_ROLES, type GrantableRole } from '../domain/roles';
import { TenantlinkError } from '../errors';
import type { AccessStage } from './accessJob';
import type { ImpactStage } from './impactJob';
import type { KeyVaultStage } from './keyVaultJob';
import type { MoveStage } from './moveJob';

/**
 * The jobs' stages as zod schemas. A stage is kept in the dialog state (JSON in the store) and
 * read back when a job starts again after a restart or on another instance: it is checked before
 * the job runs, so that a stage written by another version of tenantlink (or damaged) fails the
 * flow with TL-INTERNAL instead of running with wrong values (an id list read as a string would
 * grant nobody and still tell the channel the link is done). Each schema is checked against its
 * stage's TypeScript type at compile time.
 */

const text = z.string().min(1);

const FLOW_REF = { flowId: text, initiatorId: text, subscriptionId: text };

/** The impact review's stage. */
export const IMPACT_STAGE = z.object({
  ...FLOW_REF,
  initiatorName: z.string(),
  subscriptionName: z.string(),
  sourceTenantId: text,
  destinationTenantId: text,
  // Optional: a stage written before the names were kept still reads.
  sourceTenantName: z.string().optional(),
  destinationTenantName: z.string().optional(),
}) satisfies z.ZodType<ImpactStage>;

/** The directory change's stage. */
export const MOVE_STAGE = z.object({
  ...FLOW_REF,
  destinationTenantId: text,
  destinationOwnerId: text,
}) satisfies z.ZodType<MoveStage>;

/** The grant, restore and test's stage (other fields, e.g. the dialog's, pass through). */
export const ACCESS_STAGE = z
  .object({
    ...FLOW_REF,
    role: z.enum(GRANTABLE_ROLES as unknown as [GrantableRole, ...GrantableRole[]]),
    principalIds: z.array(text),
    restore: z.boolean(),
    restoreChoice: z
      .object({ chosen: z.array(z.number().int().min(0)), listed: z.number().int().min(0) })
      .optional(),
    redirectUrl: z.string().url(),
  })
  .passthrough() satisfies z.ZodType<AccessStage>;

/** The key vault update's stage. */
export const KEY_VAULT_STAGE = z.object({
  ...FLOW_REF,
  tenantId: text,
}) satisfies z.ZodType<KeyVaultStage>;

/**
 * A job's stage as read back from the dialog state, checked.
 * @param kind the job, for the log
 * @throws TenantlinkError `internal` naming the first field that does not fit
 */
export function readStage<T>(schema: z.ZodType<T>, stage: unknown, kind: string): T {
  const parsed = schema.safeParse(stage);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new TenantlinkError('internal', {
    detail: `the ${kind} job's stage does not fit: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`,
  });
}
