import type { SignInCompletion, SignInContext } from '../auth/directorySignIn';
import type { SignInEventValue } from '../dialogs/directorySignInDialog';
import { ERRORS, asTenantlinkError } from '../errors';
import type { Localizer } from '../i18n';
import { htmlPage } from '../i18n/htmlPage';
import { createLogger } from '../log';

/**
 * tenantlink's redirect endpoint for the subscription admin's sign-in (the app registration's
 * redirect URI): `GET /auth/azure/callback?code&state` or `?error&error_description&state`
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response).
 * The state is the only credential of this request: it must name a pending sign-in, once; nothing
 * is stored otherwise. The query is bounded and checked before anything else, never logged or
 * echoed; the page is static text in the admin's language (no script, no referrer, not cached).
 * The outcome wakes the flow's conversation with a sign-in event.
 */

/** Path of the endpoint on the bot's server. */
export const SIGN_IN_CALLBACK_PATH = '/auth/azure/callback';

/** Longest query accepted, in bytes (Entra's codes are a few hundred to ~2,000 characters). */
const MAX_QUERY_BYTES = 8192;
/** Longest single parameter value, in characters. */
const MAX_VALUE_CHARS = 4096;
/** Parameters the identity platform may send back; any other is refused. */
const ALLOWED = new Set([
  'code',
  'state',
  'session_state',
  'client_info',
  'error',
  'error_description',
  'error_uri',
  'error_subcode',
  'iss',
]);

/** What the endpoint needs. */
export interface SignInCallbackDeps {
  readonly complete: (query: Record<string, string>) => Promise<SignInCompletion>;
  /** Runs the sign-in event through the bot in the flow's conversation. */
  readonly wake: (context: SignInContext, value: SignInEventValue) => Promise<void>;
  readonly localizer: Localizer;
}

/** The endpoint's answer: a status and a small HTML page. */
export interface CallbackPage {
  readonly status: number;
  readonly html: string;
}

function page(status: number, text: string, lang?: string): CallbackPage {
  return { status, html: htmlPage(text, lang) };
}

/**
 * Reads a redirect's query string: at most {@link MAX_QUERY_BYTES}, only {@link ALLOWED} names,
 * each once and at most {@link MAX_VALUE_CHARS}, a `state`, and a `code` or an `error`.
 * @returns the parameters, or undefined when any check fails
 */
export function readRedirectQuery(search: string): Record<string, string> | undefined {
  if (Buffer.byteLength(search) > MAX_QUERY_BYTES) return undefined;
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const query: Record<string, string> = {};
  for (const [name, value] of params) {
    if (!ALLOWED.has(name) || name in query || value.length > MAX_VALUE_CHARS) return undefined;
    query[name] = value;
  }
  if (!query.state || (!query.code && !query.error)) return undefined;
  return query;
}

/**
 * Handles one redirect.
 * @param search the request URL's query string (with or without `?`)
 * @param hasBody whether the request carries a body (a redirect never does: refused)
 */
export async function handleSignInCallback(
  deps: SignInCallbackDeps,
  search: string,
  hasBody: boolean,
): Promise<CallbackPage> {
  const log = createLogger('sign-in-callback');
  const refused = (reason: string): CallbackPage => {
    log.warn({ code: ERRORS.signInState.code, reason }, 'sign-in redirect refused');
    return page(400, deps.localizer.t(undefined, 'signIn.page.refused'));
  };
  const query = hasBody ? undefined : readRedirectQuery(search);
  if (!query) return refused(hasBody ? 'body' : 'query');
  let completion: SignInCompletion;
  try {
    completion = await deps.complete(query);
  } catch (err) {
    const e = asTenantlinkError(err);
    log.error({ code: e.code }, 'sign-in redirect not completed');
    return page(503, deps.localizer.t(undefined, 'signIn.page.error', { code: e.code }));
  }
  if (!completion.ok && !completion.context) return refused(completion.reason);
  const context = completion.context!;
  try {
    await deps.wake(context, { flowId: context.flowId, ...completion });
  } catch (err) {
    // The chat cannot be reached now; the wait card's "start again" remains.
    log.warn({ code: asTenantlinkError(err).code, flowId: context.flowId }, 'flow not woken');
  }
  const locale = context.locale;
  const lang = deps.localizer.resolve(locale);
  return completion.ok
    ? page(200, deps.localizer.t(locale, 'signIn.page.done'), lang)
    : page(
        200,
        deps.localizer.t(locale, 'signIn.page.error', {
          code: completion.detail ?? ERRORS.signInFailed.code,
        }),
        lang,
      );
}
