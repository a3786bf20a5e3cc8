import { request, Agent } from 'undici';

/**
 * A browser on the sandbox's sign-in page, for tests: opens an authorize URL and answers the page
 * as one sandbox account (or declines), returning where the identity platform redirects.
 */
export async function answerSignInPage(
  authorizeUrl: string,
  caCertificatePem: string,
  answer: { account: string } | 'decline',
): Promise<{ status: number; location: URL | undefined; body: string }> {
  const dispatcher = new Agent({ connect: { ca: caCertificatePem } });
  try {
    const url = new URL(authorizeUrl);
    const form = new URLSearchParams(url.searchParams);
    if (answer === 'decline') form.set('decision', 'decline');
    else {
      form.set('decision', 'accept');
      form.set('account', answer.account);
    }
    const res = await request(`${url.origin}${url.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      dispatcher,
    });
    const body = await res.body.text();
    const location = res.headers.location;
    return {
      status: res.statusCode,
      location: typeof location === 'string' ? new URL(location) : undefined,
      body,
    };
  } finally {
    await dispatcher.close();
  }
}

/** The redirect's query as the callback reads it. */
export function redirectQuery(location: URL | undefined): Record<string, string> {
  return Object.fromEntries(location?.searchParams ?? []);
}
