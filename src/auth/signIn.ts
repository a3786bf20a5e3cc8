import type { TokenCredential } from '@azure/core-auth';
import type { OAuthConnections } from '../configFormats';

/**
 * The SignIn port: how the dialogs obtain an identity and tokens for the two sign-ins of the
 * procedure, the same way on the sandbox cloud (sandbox sign-in card + sandbox token endpoint)
 * and on Microsoft's cloud (Bot Framework OAuth connections). Tokens are fetched from the token
 * service whenever a client needs one; the bot never stores or logs them.
 */

/** The two sign-ins of the seeds: the Office 365 global admin and the Azure subscription admin. */
export type SignInKind = 'office365' | 'azure';

/** The API a token is for. */
export type Resource = 'graph' | 'arm';

/** Token scopes per resource (the same strings for both clouds; the sandbox maps them). */
export const RESOURCE_SCOPES: Readonly<Record<Resource, string>> = {
  graph: 'https://graph.microsoft.com/.default',
  arm: 'https://management.azure.com/.default',
};

/** Who signed in, read from the token's claims (tid, oid, upn/email, idp). No token inside. */
export interface SignedInAccount {
  readonly kind: SignInKind;
  /** Sign-in email or UPN. */
  readonly email: string;
  readonly displayName: string;
  /** Directory the tokens are for (`tid`). */
  readonly tenantId: string;
  /** Object id of the user in that directory (`oid`). */
  readonly objectId: string;
  /** `idp` claim: `live.com` for a Microsoft account, the home issuer for a guest, absent for a member. */
  readonly identityProvider: string | undefined;
}

/** Identifies one user's sign-ins: the Teams user id plus the conversation's tenant. */
export type UserKey = string;

/** Where tokens come from for a user who has signed in. */
export interface TokenSource {
  /**
   * A credential that fetches a token for `resource` from the token service on every call that
   * needs one.
   * @throws TenantlinkError signInRequired (from getToken) when the user is not signed in
   */
  credential(user: UserKey, kind: SignInKind, resource: Resource): TokenCredential;
  /** The account the user is signed in with for `kind`, or undefined when not signed in. */
  account(user: UserKey, kind: SignInKind): Promise<SignedInAccount | undefined>;
  /** Forgets the user's sign-in for `kind` (or both). */
  signOut(user: UserKey, kind?: SignInKind): Promise<void>;
}

/** The OAuth connection names (their form is configuration's: src/configFormats.ts). */
export type { OAuthConnections };

/** The connection that gives `kind`'s token for `resource`. */
export function connectionFor(
  connections: OAuthConnections,
  kind: SignInKind,
  resource: Resource,
): string {
  if (kind === 'office365')
    return resource === 'graph' ? connections.graph : connections.azureTarget;
  return resource === 'arm' ? connections.azureSource : connections.azureSourceGraph;
}

/**
 * The resources of one sign-in, the one that identifies the account first: Graph for the Office
 * 365 admin (SSO), ARM for the subscription admin.
 */
export function resourcesOf(kind: SignInKind): readonly [Resource, Resource] {
  return kind === 'office365' ? ['graph', 'arm'] : ['arm', 'graph'];
}
