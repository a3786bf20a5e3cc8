import { randomUUID } from 'node:crypto';
import safeRegex from 'safe-regex2';
import { z } from 'zod';
import type { SandboxResponse } from './router';

/**
 * Fault injection of the sandbox cloud, set by tests with `POST /_sandbox/faults`: latency on every
 * call, failures (429 with Retry-After, 5xx, any status) on matching calls, hangs past a client's
 * timeout, and replication delay (a principal created less than `replicationDelayMs` ago is not
 * yet visible to ARM: `400 PrincipalNotFound`, as after a new user or invitation,
 * https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---assigning-a-role-to-a-new-principal-sometimes-fails).
 */

/** The three emulated services. */
export type SandboxApi = 'login' | 'graph' | 'arm';

const ruleSchema = z
  .object({
    /** Which service the rule applies to; all when absent. */
    api: z.enum(['login', 'graph', 'arm']).optional(),
    /** HTTP method to match (upper case); all when absent. */
    method: z.string().toUpperCase().optional(),
    /**
     * Regular expression tested against the path below the service prefix (case-insensitive).
     * Checked when set: one that does not compile, or whose star height makes backtracking
     * catastrophic (`(a+)+$`, judged by safe-regex2), is refused, so a rule cannot stall the
     * sandbox or make every call fail.
     */
    path: z
      .string()
      .max(256)
      .refine(isSafePattern, { message: 'not a safe regular expression' })
      .transform((pattern) => new RegExp(pattern, 'i'))
      .optional(),
    /** Status to answer with; when absent the rule only delays (`delayMs`). */
    status: z.number().int().min(400).max(599).optional(),
    /**
     * Error code in the body (defaults per status): on the identity platform (`login`) the OAuth
     * `error`, e.g. `temporarily_unavailable` ("The server is temporarily too busy to handle the
     * request", https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
     */
    code: z.string().optional(),
    /**
     * The AADSTS number of an identity platform (`login`) error (its `error_codes` and the
     * description's prefix), e.g. 90033 (MsodsServiceUnavailable); 90002 when absent.
     */
    aadsts: z.number().int().min(1).max(99_999_999).optional(),
    /** Retry-After header value in seconds. */
    retryAfterSeconds: z.number().int().min(0).optional(),
    /** Extra delay before answering, in ms (longer than a client's timeout = a timeout). */
    delayMs: z.number().int().min(0).max(120_000).optional(),
    /**
     * Park matching requests until the test releases them (`POST /_sandbox/faults/release`): a
     * gate that lets a test look at the world while a call is in flight, without timing.
     */
    hold: z.boolean().optional(),
    /** Fire on every n-th matching request (1 = every one). */
    every: z.number().int().min(1).default(1),
    /** How many times the rule fires before it is spent; unlimited when absent. */
    count: z.number().int().min(1).optional(),
  })
  .strict();

/** Body of `POST /_sandbox/faults`. */
export const faultsSchema = z
  .object({
    /** Latency added to every call, in ms. */
    latencyMs: z.number().int().min(0).max(60_000).default(0),
    /** How long a new principal stays invisible to ARM role assignments, in ms. */
    replicationDelayMs: z.number().int().min(0).max(600_000).default(0),
    /**
     * How long, after a directory change is accepted, the new directory does not show the
     * subscription yet (ARM answers 404 SubscriptionNotFound and leaves it out of lists), in ms.
     */
    propagationDelayMs: z.number().int().min(0).max(600_000).default(0),
    rules: z.array(ruleSchema).max(100).default([]),
  })
  .strict();

/** Parsed faults settings. */
export type FaultSettings = z.infer<typeof faultsSchema>;
/** What a test may pass to set faults (defaults filled in). */
export type FaultSettingsInput = z.input<typeof faultsSchema>;
type Rule = z.infer<typeof ruleSchema>;

/** What a matching rule makes the server do. */
export interface FaultDecision {
  readonly delayMs: number;
  readonly response?: SandboxResponse;
  /** Resolves when a held request may go on (see the rule's `hold`). */
  readonly hold?: Promise<void>;
}

const DEFAULT_CODES: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Active faults of one sandbox, with per-rule counters. */
export class Faults {
  private settings: FaultSettings = faultsSchema.parse({});
  private seen: number[] = [];
  private fired: number[] = [];
  /** Requests parked by a `hold` rule, each waiting for its release. */
  private held: (() => void)[] = [];
  /** Whether the holds were released (later matches go on at once) since the faults were set. */
  private released = false;
  /** Calls answered by a fault rule since the faults were last set, per service. */
  readonly injected: Record<SandboxApi, number> = { login: 0, graph: 0, arm: 0 };

  /** Replaces the settings. @throws ZodError when the body is invalid */
  set(body: unknown): FaultSettings {
    const settings = faultsSchema.parse(body);
    this.release();
    this.released = false;
    this.settings = settings;
    this.seen = this.settings.rules.map(() => 0);
    this.fired = this.settings.rules.map(() => 0);
    for (const api of Object.keys(this.injected) as SandboxApi[]) this.injected[api] = 0;
    return this.settings;
  }

  /** How many requests a `hold` rule parks now. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Lets every parked request go on, and later ones pass the `hold` rules. */
  release(): number {
    const held = this.held;
    this.held = [];
    this.released = true;
    for (const go of held) go();
    return held.length;
  }

  /** Clears every fault. */
  clear(): void {
    this.set({});
  }

  get replicationDelayMs(): number {
    return this.settings.replicationDelayMs;
  }

  get propagationDelayMs(): number {
    return this.settings.propagationDelayMs;
  }

  /** Decides what to do with one call: the base latency plus the first matching rule, if any. */
  decide(api: SandboxApi, method: string, path: string): FaultDecision {
    let delayMs = this.settings.latencyMs;
    for (const [i, rule] of this.settings.rules.entries()) {
      if (!matches(rule, api, method, path)) continue;
      if (rule.count !== undefined && (this.fired[i] ?? 0) >= rule.count) continue;
      const seen = (this.seen[i] = (this.seen[i] ?? 0) + 1);
      if (seen % rule.every !== 0) continue;
      this.fired[i] = (this.fired[i] ?? 0) + 1;
      delayMs += rule.delayMs ?? 0;
      if (rule.hold && !this.released)
        return { delayMs, hold: new Promise<void>((go) => this.held.push(go)) };
      if (rule.status === undefined) return { delayMs };
      this.injected[api]++;
      return { delayMs, response: faultResponse(api, rule) };
    }
    return { delayMs };
  }
}

/** Whether a fault rule's path pattern compiles and cannot backtrack catastrophically. */
function isSafePattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
  } catch {
    return false;
  }
  return safeRegex(pattern);
}

/** Longest path a rule's pattern is tested against (paths beyond it are cut for matching only). */
const MAX_MATCHED_PATH = 2048;

function matches(rule: Rule, api: SandboxApi, method: string, path: string): boolean {
  if (rule.api && rule.api !== api) return false;
  if (rule.method && rule.method !== method) return false;
  if (rule.path && !rule.path.test(path.slice(0, MAX_MATCHED_PATH))) return false;
  return true;
}

function faultResponse(api: SandboxApi, rule: Rule): SandboxResponse {
  const status = rule.status ?? 500;
  const code = rule.code ?? DEFAULT_CODES[status] ?? 'SandboxFault';
  const headers: Record<string, string> = {};
  if (rule.retryAfterSeconds !== undefined) headers['retry-after'] = String(rule.retryAfterSeconds);
  const message = `Injected fault: ${status} ${code}.`;
  if (api === 'login')
    return { status, headers, body: loginError(code, message, [rule.aadsts ?? 90002]) };
  if (api === 'graph') return { status, headers, body: graphError(code, message) };
  return { status, headers, body: armError(code, message) };
}

/**
 * Graph's error body: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`
 * (https://learn.microsoft.com/graph/errors).
 */
export function graphError(code: string, message: string, requestId = randomUUID()): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d+Z$/, ''),
        'request-id': requestId,
        'client-request-id': requestId,
      },
    },
  };
}

/**
 * ARM's error body: `{ error: { code, message } }` (ErrorResponse in
 * specification/common-types/resource-management/v5/types.json).
 */
export function armError(code: string, message: string): unknown {
  return { error: { code, message } };
}

/**
 * The identity platform's token error body
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#error-response-1).
 */
export function loginError(error: string, description: string, codes: number[]): unknown {
  const traceId = randomUUID();
  return {
    error,
    error_description: `AADSTS${codes[0] ?? 0}: ${description} Trace ID: ${traceId}`,
    error_codes: codes,
    timestamp: new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z'),
    trace_id: traceId,
    correlation_id: randomUUID(),
  };
}
