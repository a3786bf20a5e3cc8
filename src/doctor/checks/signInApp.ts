import { request } from 'undici';
import { SIGN_IN_CALLBACK_PATH } from '../../bot/signInCallback';
import { dispatcherFor } from '../../cloud/http';
import { fail, pass, reasonOf, skip } from '../findings';
import type { Check, DoctorContext, Finding } from '../types';

/**
 * The subscription admin's sign-in app (src/auth/directorySignIn.ts): its authority publishes
 * OpenID Connect metadata where MSAL looks for it, `{AUTHORITY_HOST}/organizations/v2.0/.well-known/openid-configuration`
 * ("Find your app's OpenID configuration document URI",
 * https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri),
 * with its authorization and token endpoints below that authority; and `ADMIN_SIGNIN_REDIRECT_URI`
 * is this bot's own callback: the bot's host and the path `/auth/azure/callback`
 * (src/bot/signInCallback.ts), over https except on loopback ("Redirect URI (reply URL)
 * restrictions", https://learn.microsoft.com/entra/identity-platform/reply-url). A redirect URI
 * elsewhere sends the admin's authorization code to another host, or ends in AADSTS50011.
 */
export const signInAppCheck: Check = async (ctx) => [
  ctx.config.mode === 'local' && !ctx.sandbox
    ? skip('signInApp', ctx.t('doctor.skip.noSandbox'))
    : await authorityFinding(ctx),
  redirectFinding(ctx),
];

async function authorityFinding(ctx: DoctorContext): Promise<Finding> {
  const { t } = ctx;
  const authority = `${ctx.endpoints.authorityHost}/organizations`;
  const url = `${authority}/v2.0/.well-known/openid-configuration`;
  let problem: string;
  try {
    const dispatcher = dispatcherFor(ctx.http);
    const res = await request(url, {
      headersTimeout: ctx.http.timeoutMs,
      bodyTimeout: ctx.http.timeoutMs,
      ...(dispatcher ? { dispatcher } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    const doc = JSON.parse(text) as Record<string, unknown>;
    const below = (k: string): boolean =>
      typeof doc[k] === 'string' && (doc[k] as string).startsWith(`${authority}/`);
    if (
      typeof doc.issuer === 'string' &&
      below('authorization_endpoint') &&
      below('token_endpoint')
    )
      return pass('signInApp', t('doctor.pass.authority', { authority, issuer: doc.issuer }));
    problem = 'issuer, authorization_endpoint or token_endpoint missing or elsewhere';
  } catch (err) {
    problem = reasonOf(err);
  }
  return fail(
    'signInApp',
    'doctorAuthority',
    t('doctor.fail.authority', { authority, reason: problem }),
    t('doctor.fix.authority'),
  );
}

/** The bot's public root (`https://host`), or the local server's. */
function botRoot(ctx: DoctorContext): string | undefined {
  if (ctx.config.mode === 'local') return ctx.botUrl;
  const endpoint = ctx.deployment.messagingEndpoint;
  return endpoint ? new URL(endpoint).origin : ctx.botUrl;
}

function redirectFinding(ctx: DoctorContext): Finding {
  const { t, config } = ctx;
  const uri = config.adminSignIn.redirectUri;
  const root = botRoot(ctx);
  const expected = root
    ? `${root}${SIGN_IN_CALLBACK_PATH}`
    : `https://<bot host>${SIGN_IN_CALLBACK_PATH}`;
  if (config.mode === 'cloud' && !config.adminSignIn.clientId)
    return skip('signInApp', t('doctor.skip.adminSignIn'));
  if (!uri) {
    if (config.mode === 'local')
      return pass('signInApp', t('doctor.pass.redirectUriLocal', { uri: expected }));
    return redirectFailure(ctx, '-', expected);
  }
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return redirectFailure(ctx, uri, expected);
  }
  const rootUrl = root ? new URL(root) : undefined;
  const sameHost = !rootUrl || parsed.host.toLowerCase() === rootUrl.host.toLowerCase();
  const secure = parsed.protocol === 'https:' || (config.mode === 'local' && isLoopback(parsed));
  if (sameHost && secure && parsed.pathname === SIGN_IN_CALLBACK_PATH && !parsed.search)
    return pass('signInApp', t('doctor.pass.redirectUri', { uri }));
  return redirectFailure(ctx, uri, expected);
}

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost'].includes(url.hostname);
}

function redirectFailure(ctx: DoctorContext, uri: string, expected: string): Finding {
  const { t, config } = ctx;
  return fail(
    'signInApp',
    'doctorRedirectUri',
    t('doctor.fail.redirectUri', { uri, expected }),
    config.mode === 'local'
      ? t('doctor.fix.redirectUriLocal', { expected })
      : t('doctor.fix.redirectUri', { expected, clientId: config.adminSignIn.clientId }),
  );
}
