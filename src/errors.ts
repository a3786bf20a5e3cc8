import { redactString } from './log';

/**
 * The error catalogue: every failure a user or an operator can see has a stable code (logged),
 * a message key (localized in the chat, see locales/) and, where it maps, an HTTP status.
 * Graph and ARM failures are translated into these at the client boundary
 * (src/graph, src/azure) so dialogs only see domain errors.
 */

/** One entry of the catalogue. */
export interface ErrorDef {
  /** Stable code written to the log, e.g. `TL-ARM-FORBIDDEN`. */
  readonly code: string;
  /** Key of the localized chat message in locales/*.json. */
  readonly messageKey: string;
  /** HTTP status the error corresponds to, when it comes from or maps to one. */
  readonly status?: number;
  /** Whether trying the same call again later may succeed. */
  readonly transient?: boolean;
}

/** All errors tenantlink reports. Typed so that a misspelt key does not compile. */
export const ERRORS = {
  configInvalid: { code: 'TL-CONFIG-INVALID', messageKey: 'error.internal' },
  signInRequired: {
    code: 'TL-AUTH-SIGNIN-REQUIRED',
    messageKey: 'error.signInRequired',
    status: 401,
  },
  signInFailed: { code: 'TL-AUTH-SIGNIN-FAILED', messageKey: 'error.signInFailed', status: 400 },
  /**
   * The identity platform refused tenantlink's own sign-in app, not the admin: its credential
   * (client secret, or the managed identity's client assertion and the federated identity
   * credential that should trust it) is missing, wrong or expired. The operator fixes it.
   */
  signInCredential: {
    code: 'TL-AUTH-SIGNIN-CREDENTIAL',
    messageKey: 'signIn.directory.appCredential',
    status: 503,
  },
  /** A sign-in redirect with no valid pending sign-in (forged, replayed, expired) or malformed. */
  signInState: { code: 'TL-AUTH-SIGNIN-STATE', messageKey: 'signIn.page.refused', status: 400 },
  cloudUnauthorized: {
    code: 'TL-CLOUD-UNAUTHORIZED',
    messageKey: 'error.signInRequired',
    status: 401,
  },
  cloudForbidden: { code: 'TL-CLOUD-FORBIDDEN', messageKey: 'error.forbidden', status: 403 },
  cloudNotFound: { code: 'TL-CLOUD-NOT-FOUND', messageKey: 'error.notFound', status: 404 },
  cloudConflict: { code: 'TL-CLOUD-CONFLICT', messageKey: 'error.conflict', status: 409 },
  cloudThrottled: {
    code: 'TL-CLOUD-THROTTLED',
    messageKey: 'error.throttled',
    status: 429,
    transient: true,
  },
  cloudUnavailable: {
    code: 'TL-CLOUD-UNAVAILABLE',
    messageKey: 'error.unavailable',
    status: 503,
    transient: true,
  },
  cloudTimeout: { code: 'TL-CLOUD-TIMEOUT', messageKey: 'error.timeout', transient: true },
  cloudBadRequest: { code: 'TL-CLOUD-BAD-REQUEST', messageKey: 'error.badRequest', status: 400 },
  principalNotFound: {
    code: 'TL-ARM-PRINCIPAL-NOT-FOUND',
    messageKey: 'error.principalNotFound',
    status: 400,
    transient: true,
  },
  moveRefused: { code: 'TL-MOVE-REFUSED', messageKey: 'error.moveRefused' },
  /** The subscription's offer or state changed after it was chosen (domain/eligibility.ts). */
  cannotMove: { code: 'TL-MOVE-NOT-ELIGIBLE', messageKey: 'error.cannotMove' },
  moveNotVerified: { code: 'TL-MOVE-NOT-VERIFIED', messageKey: 'error.moveNotVerified' },
  /** A resource of the subscription cannot change directory (src/domain/inventory.ts). */
  moveBlocked: { code: 'TL-MOVE-BLOCKED', messageKey: 'inventory.blockedText' },
  cardNotInitiator: {
    code: 'TL-CARD-NOT-INITIATOR',
    messageKey: 'error.notInitiator',
    status: 403,
  },
  cardStale: { code: 'TL-CARD-STALE', messageKey: 'error.staleCard', status: 410 },
  stateConflict: { code: 'TL-STATE-CONFLICT', messageKey: 'error.staleCard', status: 409 },
  requestInvalid: { code: 'TL-REQUEST-INVALID', messageKey: 'error.invalidCard', status: 400 },
  // Refusals at the HTTP door (src/bot/server.ts): answered with a fixed body, never shown in chat.
  requestUnauthorized: {
    code: 'TL-REQUEST-UNAUTHORIZED',
    messageKey: 'error.signInRequired',
    status: 401,
  },
  requestForbidden: { code: 'TL-REQUEST-FORBIDDEN', messageKey: 'error.forbidden', status: 403 },
  requestNotFound: { code: 'TL-REQUEST-NOT-FOUND', messageKey: 'error.notFound', status: 404 },
  requestMethod: { code: 'TL-REQUEST-METHOD', messageKey: 'error.badRequest', status: 405 },
  requestTooLarge: { code: 'TL-REQUEST-TOO-LARGE', messageKey: 'error.badRequest', status: 413 },
  requestMediaType: {
    code: 'TL-REQUEST-MEDIA-TYPE',
    messageKey: 'error.badRequest',
    status: 415,
  },
  subscriptionBusy: { code: 'TL-LINK-SUBSCRIPTION-BUSY', messageKey: 'lock.held', status: 409 },
  cardInvalid: { code: 'TL-CARD-INVALID', messageKey: 'error.invalidCard', status: 400 },
  /**
   * A file consent answer tenantlink does not act on (src/dialogs/history.ts): not in a personal
   * chat, not the card's user, or an upload URL that is not https. Nothing is uploaded.
   */
  exportRefused: { code: 'TL-EXPORT-REFUSED', messageKey: 'history.export.refused', status: 400 },
  /** The upload of an exported file to the URL Teams gave failed (network, or not 200/201). */
  exportUpload: { code: 'TL-EXPORT-UPLOAD', messageKey: 'history.export.failed', status: 502 },
  /**
   * At start: the bot's identity may not use the Key Vault key that wraps the token cache key
   * (TOKEN_CACHE_KEY_ID): Key Vault answered 403 (src/auth/wrappedKey.ts). Never shown in chat.
   */
  tokenCacheKeyForbidden: {
    code: 'TL-TOKEN-CACHE-KEY-FORBIDDEN',
    messageKey: 'error.internal',
    status: 403,
  },
  /**
   * At start: the wrapped token cache key cannot be made or opened for another reason (no such
   * key or version, the vault unreachable, a record wrapped by another key or malformed).
   */
  tokenCacheKeyUnavailable: {
    code: 'TL-TOKEN-CACHE-KEY-UNAVAILABLE',
    messageKey: 'error.internal',
  },
  internal: { code: 'TL-INTERNAL', messageKey: 'error.internal', status: 500 },
  // Findings of `npm run doctor` (src/doctor/): printed to the operator with their fix, never in chat.
  doctorBotIdentity: { code: 'TL-DOCTOR-BOT-IDENTITY', messageKey: 'doctor.fail.botIdentity' },
  doctorEndpoint: { code: 'TL-DOCTOR-ENDPOINT', messageKey: 'doctor.fail.endpoint' },
  doctorConnectionUnknown: {
    code: 'TL-DOCTOR-CONNECTION-UNKNOWN',
    messageKey: 'doctor.fail.connectionUnknown',
  },
  doctorScopeMissing: { code: 'TL-DOCTOR-SCOPE-MISSING', messageKey: 'doctor.fail.scopeMissing' },
  doctorAuthority: { code: 'TL-DOCTOR-AUTHORITY', messageKey: 'doctor.fail.authority' },
  doctorRedirectUri: { code: 'TL-DOCTOR-REDIRECT-URI', messageKey: 'doctor.fail.redirectUri' },
  doctorConsent: { code: 'TL-DOCTOR-CONSENT-MISSING', messageKey: 'doctor.fail.consent' },
  doctorStorage: { code: 'TL-DOCTOR-STORAGE', messageKey: 'doctor.fail.storage' },
  doctorKeyVaultReference: {
    code: 'TL-DOCTOR-KEYVAULT-REFERENCE',
    messageKey: 'doctor.fail.keyVaultReference',
  },
  doctorAppId: { code: 'TL-DOCTOR-APP-ID', messageKey: 'doctor.fail.appId' },
  /** A check could not run at all (the bot did not start, a service did not answer). */
  doctorCheckFailed: { code: 'TL-DOCTOR-CHECK-FAILED', messageKey: 'doctor.fail.checkFailed' },
} as const satisfies Record<string, ErrorDef>;

/** Name of a catalogue entry. */
export type ErrorName = keyof typeof ERRORS;

/**
 * An error of the catalogue. `detail` is for the log (already redacted: never put a token in
 * it); `params` fill the localized message; `cause` keeps the original error.
 */
export class TenantlinkError extends Error {
  readonly def: ErrorDef;
  readonly params: Readonly<Record<string, string | number>>;
  /** The service's own error code (e.g. ARM `RoleAssignmentExists`), when there was one. */
  readonly serviceCode: string | undefined;
  /** Correlation id returned by the service (ARM x-ms-correlation-request-id, Graph request-id). */
  readonly correlationId: string | undefined;
  /** Seconds the service asked to wait (Retry-After), when it did. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    name: ErrorName,
    options: {
      detail?: string;
      params?: Record<string, string | number>;
      serviceCode?: string;
      correlationId?: string;
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    const def = ERRORS[name];
    // Details and parameters may quote a service's answer: tokens and keys never stay in them.
    super(`${def.code}: ${redactString(options.detail ?? name)}`, { cause: options.cause });
    this.name = 'TenantlinkError';
    this.def = def;
    this.params = Object.fromEntries(
      Object.entries(options.params ?? {}).map(([k, v]) => [
        k,
        typeof v === 'string' ? redactString(v) : v,
      ]),
    );
    this.serviceCode = options.serviceCode;
    this.correlationId = options.correlationId;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** Stable code of this error, e.g. `TL-CLOUD-FORBIDDEN`. */
  get code(): string {
    return this.def.code;
  }
}

/**
 * Maps an HTTP status of Graph or ARM to a catalogue entry.
 * @param status HTTP status code (4xx/5xx)
 * @param serviceCode the service's error code, which refines 400s (`PrincipalNotFound`)
 */
export function errorNameForStatus(status: number, serviceCode?: string): ErrorName {
  if (serviceCode === 'PrincipalNotFound') return 'principalNotFound';
  if (status === 401) return 'cloudUnauthorized';
  if (status === 403) return 'cloudForbidden';
  if (status === 404) return 'cloudNotFound';
  if (status === 409) return 'cloudConflict';
  if (status === 429) return 'cloudThrottled';
  if (status === 408 || status === 504) return 'cloudTimeout';
  if (status >= 500) return 'cloudUnavailable';
  return 'cloudBadRequest';
}

/** Wraps anything thrown into a TenantlinkError (unknown errors become `internal`). */
export function asTenantlinkError(err: unknown): TenantlinkError {
  if (err instanceof TenantlinkError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TenantlinkError('internal', { detail: message, cause: err });
}

/** A TenantlinkError as JSON (to cross a process or a stored dialog state). */
export interface TenantlinkErrorJson {
  readonly name: ErrorName;
  readonly detail: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly serviceCode?: string;
  readonly correlationId?: string;
}

/** The JSON form of an error (anything else than a TenantlinkError becomes `internal`). */
export function errorToJson(err: unknown): TenantlinkErrorJson {
  const e = asTenantlinkError(err);
  const name = (Object.keys(ERRORS) as ErrorName[]).find((k) => ERRORS[k] === e.def) ?? 'internal';
  return {
    name,
    detail: e.message,
    params: e.params,
    serviceCode: e.serviceCode,
    correlationId: e.correlationId,
  };
}

/** The error back from its JSON form. */
export function errorFromJson(json: TenantlinkErrorJson): TenantlinkError {
  return new TenantlinkError(json.name, {
    detail: json.detail,
    params: json.params,
    serviceCode: json.serviceCode,
    correlationId: json.correlationId,
  });
}
