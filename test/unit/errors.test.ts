import enUS from '../../locales/en-US.json';
import {
  ERRORS,
  TenantlinkError,
  asTenantlinkError,
  errorNameForStatus,
  type ErrorDef,
  type ErrorName,
} from '../../src/errors';

const catalogue = Object.entries(ERRORS) as [ErrorName, (typeof ERRORS)[ErrorName]][];
const messages: Record<string, string> = enUS;

/** A JWT-shaped string (header.payload.signature), as an access token looks. */
const JWT =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('error catalogue', () => {
  it('has entries', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(10);
  });

  it('gives every entry a unique code', () => {
    const codes = catalogue.map(([, def]) => def.code);
    const duplicates = codes.filter((c, i) => codes.indexOf(c) !== i);
    expect(duplicates).toEqual([]);
  });

  it.each(catalogue)('%s has a stable-looking TL- code', (_name, def) => {
    expect(def.code).toMatch(/^TL-[A-Z0-9]+(-[A-Z0-9]+)*$/);
  });

  it.each(catalogue)('%s has a message key that exists in en-US.json', (_name, def) => {
    expect(Object.keys(messages)).toContain(def.messageKey);
    expect(messages[def.messageKey]?.trim()).not.toBe('');
  });

  it.each(catalogue)('%s has an HTTP status in 4xx/5xx when it has one', (_name, def) => {
    const status: number | undefined = 'status' in def ? def.status : undefined;
    if (status !== undefined) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('marks exactly the retryable failures as transient', () => {
    const transient = catalogue
      .filter(([, def]) => 'transient' in def && def.transient)
      .map(([name]) => name)
      .sort();
    expect(transient).toEqual(
      ['cloudThrottled', 'cloudTimeout', 'cloudUnavailable', 'principalNotFound'].sort(),
    );
  });
});

describe('errorNameForStatus', () => {
  it.each<[number, string | undefined, ErrorName]>([
    [400, undefined, 'cloudBadRequest'],
    [400, 'InvalidRequestContent', 'cloudBadRequest'],
    [400, 'PrincipalNotFound', 'principalNotFound'],
    [404, 'PrincipalNotFound', 'principalNotFound'],
    [401, undefined, 'cloudUnauthorized'],
    [401, 'InvalidAuthenticationToken', 'cloudUnauthorized'],
    [403, undefined, 'cloudForbidden'],
    [403, 'AuthorizationFailed', 'cloudForbidden'],
    [403, 'Authorization_RequestDenied', 'cloudForbidden'],
    [404, undefined, 'cloudNotFound'],
    [404, 'SubscriptionNotFound', 'cloudNotFound'],
    [404, 'Request_ResourceNotFound', 'cloudNotFound'],
    // 409 RoleAssignmentExists is a conflict here; ArmAzureManagement.grantRole turns it into success.
    [409, undefined, 'cloudConflict'],
    [409, 'RoleAssignmentExists', 'cloudConflict'],
    [429, undefined, 'cloudThrottled'],
    [429, 'TooManyRequests', 'cloudThrottled'],
    [408, undefined, 'cloudTimeout'],
    [504, 'GatewayTimeout', 'cloudTimeout'],
    [500, undefined, 'cloudUnavailable'],
    [500, 'InternalServerError', 'cloudUnavailable'],
    [502, undefined, 'cloudUnavailable'],
    [503, 'ServiceUnavailable', 'cloudUnavailable'],
    [410, undefined, 'cloudBadRequest'],
  ])('maps %i %s to %s', (status, serviceCode, expected) => {
    expect(errorNameForStatus(status, serviceCode)).toBe(expected);
  });

  it.each([401, 403, 404, 409, 429, 503])('maps %i to an entry of that same status', (status) => {
    const def: ErrorDef = ERRORS[errorNameForStatus(status)];
    expect(def.status).toBe(status);
  });
});

describe('TenantlinkError', () => {
  it('carries the entry, the code in its message, the service details and the cause', () => {
    const cause = new Error('underlying');
    const err = new TenantlinkError('cloudThrottled', {
      detail: 'arm GET /subscriptions → 429',
      params: { serviceMessage: 'slow down' },
      serviceCode: 'TooManyRequests',
      correlationId: 'corr-1',
      retryAfterSeconds: 7,
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('TenantlinkError');
    expect(err.code).toBe('TL-CLOUD-THROTTLED');
    expect(err.def).toBe(ERRORS.cloudThrottled);
    expect(err.message).toBe('TL-CLOUD-THROTTLED: arm GET /subscriptions → 429');
    expect(err.params).toEqual({ serviceMessage: 'slow down' });
    expect(err.serviceCode).toBe('TooManyRequests');
    expect(err.correlationId).toBe('corr-1');
    expect(err.retryAfterSeconds).toBe(7);
    expect(err.cause).toBe(cause);
  });

  it('defaults to the entry name as detail and empty params', () => {
    const err = new TenantlinkError('cardStale');
    expect(err.message).toBe('TL-CARD-STALE: cardStale');
    expect(err.params).toEqual({});
    expect(err.serviceCode).toBeUndefined();
    expect(err.retryAfterSeconds).toBeUndefined();
  });
});

describe('asTenantlinkError', () => {
  it('returns a TenantlinkError unchanged', () => {
    const err = new TenantlinkError('cloudForbidden');
    expect(asTenantlinkError(err)).toBe(err);
  });

  it.each<[string, unknown]>([
    ['an Error', new Error('boom')],
    ['a string', 'boom'],
    ['an object', { status: 500 }],
    ['undefined', undefined],
  ])('wraps %s as TL-INTERNAL and keeps it as the cause', (_what, thrown) => {
    const err = asTenantlinkError(thrown);
    expect(err).toBeInstanceOf(TenantlinkError);
    expect(err.code).toBe('TL-INTERNAL');
    expect(err.def.messageKey).toBe('error.internal');
    expect(err.cause).toBe(thrown);
  });

  it('keeps the text of an ordinary error in the message (for the log)', () => {
    expect(asTenantlinkError(new Error('disk full')).message).toContain('disk full');
  });

  it.each<[string, unknown]>([
    ['a JWT in an Error', new Error(`token rejected: ${JWT}`)],
    ['a Bearer header in an Error', new Error('sent Authorization: Bearer test-token')],
    ['a JWT thrown as a string', `bad token ${JWT}`],
  ])('does not leak %s into the message', (_what, thrown) => {
    const err = asTenantlinkError(thrown);
    expect(err.message).not.toContain(JWT);
    expect(err.message).not.toContain('test-token');
  });
});
