import { retryPolicy, type PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * Retries ARM's `400 PrincipalNotFound` with exponential backoff and jitter: right after a user
 * or an invitation is created, the principal takes a while to replicate to ARM
 * (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---assigning-a-role-to-a-new-principal-sometimes-fails).
 * It runs in the Azure SDK's own retry machinery (@azure/core-rest-pipeline `retryPolicy`), beside
 * the default policy that handles 429/503 with Retry-After and other transient failures.
 */

/** Options of {@link principalNotFoundRetryPolicy}. */
export interface ReplicationRetryOptions {
  /** Retries after the first attempt (0 disables). */
  readonly maxRetries: number;
  /** First delay in ms, doubled each retry. */
  readonly baseDelayMs: number;
  /** Largest delay in ms. */
  readonly maxDelayMs: number;
}

/** Defaults: 6 retries, 1 s doubling up to 8 s (about 30 s in all, ARM's usual replication time). */
export const REPLICATION_RETRY_DEFAULTS: ReplicationRetryOptions = {
  maxRetries: 6,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
};

/** Whether a response is ARM's PrincipalNotFound. */
function isPrincipalNotFound(status: number | undefined, body: string | null | undefined): boolean {
  return status === 400 && /"code"\s*:\s*"PrincipalNotFound"/.test(body ?? '');
}

/** The pipeline policy. */
export function principalNotFoundRetryPolicy(options: ReplicationRetryOptions): PipelinePolicy {
  return retryPolicy(
    [
      {
        name: 'principalNotFoundRetryStrategy',
        retry({ response, retryCount }) {
          if (!isPrincipalNotFound(response?.status, response?.bodyAsText)) {
            return { skipStrategy: true };
          }
          const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryCount);
          // ±20 % jitter so that many grants do not retry in lockstep.
          return { retryAfterInMs: Math.round(exponential * (0.8 + Math.random() * 0.4)) };
        },
      },
    ],
    { maxRetries: options.maxRetries },
  );
}
