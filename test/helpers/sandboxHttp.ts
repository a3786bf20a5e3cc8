import { Agent, request } from 'undici';
import { IDS, type SandboxCloud } from '../../src/sandbox';

/** A parsed JSON body; tests assert on it field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, asserted by the tests
export type Json = any;

/** A raw HTTP client for the sandbox cloud in tests: trusts its certificate, returns status/headers/JSON. */
export class SandboxHttp {
  private readonly agent: Agent;

  constructor(
    private readonly sandbox: Pick<SandboxCloud, 'url' | 'caCertificatePem' | 'controlSecret'>,
  ) {
    this.agent = new Agent({ connect: { ca: sandbox.caCertificatePem } });
  }

  /** Sends a request to `{sandbox.url}{path}`; `form` sends form-encoded, `body` JSON. */
  async call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    options: {
      token?: string;
      body?: unknown;
      form?: Record<string, string>;
      headers?: Record<string, string>;
      /** Sends no control secret to `/_sandbox/*` (to test the refusal). */
      anonymous?: boolean;
    } = {},
  ): Promise<{ status: number; headers: Record<string, string>; body: Json }> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    // The control API needs the sandbox's secret unless a test asks to go without it.
    if (path.startsWith('/_sandbox/') && !options.anonymous)
      headers.authorization = `Bearer ${this.sandbox.controlSecret}`;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const url = path.startsWith('https://') ? path : `${this.sandbox.url}${path}`;
    const res = await request(url, { method, headers, body, dispatcher: this.agent });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      headers: res.headers as Record<string, string>,
      // JSON as JSON; anything else (the sign-in page's HTML) as text.
      body: text
        ? /json/.test(String(res.headers['content-type']))
          ? JSON.parse(text)
          : text
        : undefined,
    };
  }

  /** Signs in with the password grant and returns the access token. */
  async token(
    tenant: string,
    username: string,
    scope: 'graph' | 'arm',
    password = 'Sandbox-Passw0rd!',
  ): Promise<string> {
    const res = await this.call('POST', `/login/${tenant}/oauth2/v2.0/token`, {
      form: {
        grant_type: 'password',
        username,
        password,
        client_id: IDS.applications.signInCard,
        scope:
          scope === 'graph'
            ? 'https://graph.microsoft.com/.default'
            : 'https://management.azure.com/.default',
      },
    });
    if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.access_token as string;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
