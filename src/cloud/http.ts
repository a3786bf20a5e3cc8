import { Agent } from 'undici';

/**
 * Options shared by the Graph, ARM and sign-in clients for reaching a cloud: where to trust TLS
 * from, how long one request may take and how often to retry.
 */
export interface CloudHttpOptions {
  /**
   * PEM certificate to trust in addition to the system's CAs: the sandbox cloud's self-signed
   * certificate in local mode, undefined for Microsoft's cloud. Trusted only by tenantlink's own
   * clients, never process-wide (DESIGN.md, "Known traps").
   */
  readonly caCertificatePem?: string;
  /** Time limit of one HTTP attempt, in ms. */
  readonly timeoutMs: number;
  /** Retries after the first attempt for 429, 5xx and network errors. */
  readonly maxRetries: number;
}

const dispatchers = new Map<string, Agent>();

/**
 * An undici dispatcher that trusts `caCertificatePem` (one per distinct certificate, reused
 * across calls so connections are pooled). Undefined when no extra certificate is needed.
 */
export function dispatcherFor(
  options: Pick<CloudHttpOptions, 'caCertificatePem'>,
): Agent | undefined {
  const ca = options.caCertificatePem;
  if (!ca) return undefined;
  let agent = dispatchers.get(ca);
  if (!agent) {
    agent = new Agent({ connect: { ca }, keepAliveTimeout: 10_000 });
    dispatchers.set(ca, agent);
  }
  return agent;
}

/**
 * Parses a Retry-After header (seconds or an HTTP date).
 * @returns seconds to wait, or undefined when absent or unparsable
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
