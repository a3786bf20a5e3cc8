import type { TokenCredential } from '@azure/core-auth';
import type { DirectorySignIn } from './directorySignIn';
import type { Resource, SignInKind, SignedInAccount, TokenSource, UserKey } from './signIn';

/**
 * The SignIn port with the two sign-ins from their own places: the Office 365 admin's tokens from
 * the Bot Framework token service (or the sandbox's), the subscription admin's from tenantlink's
 * own sign-in at the subscription's directory ({@link DirectorySignIn}).
 */
export class SplitTokenSource implements TokenSource {
  constructor(
    private readonly office365: TokenSource,
    private readonly azure: DirectorySignIn,
  ) {}

  credential(user: UserKey, kind: SignInKind, resource: Resource): TokenCredential {
    return kind === 'azure'
      ? this.azure.credential(user, resource)
      : this.office365.credential(user, kind, resource);
  }

  account(user: UserKey, kind: SignInKind): Promise<SignedInAccount | undefined> {
    return kind === 'azure' ? this.azure.account(user) : this.office365.account(user, kind);
  }

  async signOut(user: UserKey, kind?: SignInKind): Promise<void> {
    if (kind !== 'azure') await this.office365.signOut(user, 'office365');
    if (kind !== 'office365') await this.azure.signOut(user);
  }
}
