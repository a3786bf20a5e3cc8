/**
 * Who may call the server. Cloud mode: `authenticate` validates the `Authorization` header (the
 * Bot Framework JWT: signature, issuer, audience, endorsement) before any byte of the body is
 * read, and rejects when it is not valid. Local mode (no credentials, the Agents Playground signs
 * with a dummy key): requests with an `Origin` header (a web page) are refused and the activity's
 * `serviceUrl` must be on this machine, so no page or other host can drive the bot or make it post
 * elsewhere. Its own module: src/bot/adapter.ts builds it (`serverAccess`) and src/bot/server.ts
 * enforces it, and neither imports the other for it (issue 28: no import circles).
 */
export type ServerAccess =
  | { readonly kind: 'cloud'; readonly authenticate: (authHeader: string) => Promise<void> }
  | { readonly kind: 'local' };
