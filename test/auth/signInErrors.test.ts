import {
  UNKNOWN_SIGN_IN_ERROR,
  sanitizedLogField,
  signInErrorCode,
} from '../../src/auth/signInErrors';

/**
 * Issue 25, defect 3: an identity platform error is repeated only as a known code. The rows are
 * what a crafted redirect (or Entra itself) may put in `error` and `error_description`.
 */

const LINK = 'https://evil.example/phish';

describe('signInErrorCode', () => {
  it.each([
    ['access_denied', 'AADSTS65004: User declined to consent to access the app.', 'AADSTS65004'],
    ['invalid_request', 'AADSTS50011: The redirect URI specified does not match', 'AADSTS50011'],
    ['invalid_client', 'AADSTS700016: Application not found', 'AADSTS700016'],
    ['access_denied', undefined, 'access_denied'],
    ['temporarily_unavailable', 'try later', 'temporarily_unavailable'],
    ['consent_required', `see ${LINK}`, 'consent_required'],
    [LINK, undefined, UNKNOWN_SIGN_IN_ERROR],
    [`${LINK} AADSTS`, `visit ${LINK}`, UNKNOWN_SIGN_IN_ERROR],
    ['x'.repeat(4096), 'y'.repeat(4096), UNKNOWN_SIGN_IN_ERROR],
    ['server_error', 'AADSTS123456789012: too many digits', 'server_error'],
    ['AADSTS50020', undefined, 'AADSTS50020'],
    ['access_denied<script>', undefined, UNKNOWN_SIGN_IN_ERROR],
    [undefined, undefined, UNKNOWN_SIGN_IN_ERROR],
    [42, { a: 1 }, UNKNOWN_SIGN_IN_ERROR],
  ])('error %j with description %j gives %s', (error, description, expected) => {
    const code = signInErrorCode(error, description);
    expect(code).toBe(expected);
    expect(code).not.toContain('evil');
  });
});

describe('sanitizedLogField', () => {
  it('keeps at most 64 safe characters and the length of what was cut', () => {
    const field = sanitizedLogField(`${LINK}/${'a'.repeat(4000)}`)!;
    expect(field.length).toBeLessThan(80);
    expect(field).not.toMatch(/[/:]/);
    expect(field).toMatch(/…\(4027\)$/);
    expect(sanitizedLogField('invalid_request')).toBe('invalid_request');
    expect(sanitizedLogField('')).toBeUndefined();
    expect(sanitizedLogField(7)).toBeUndefined();
  });
});
