import type { Logger } from '@aws-lambda-powertools/logger';
import { describeError } from '../errors.ts';
import type { ConnectionStore } from '../ports/connection-store.ts';
import type { OAuthClient } from '../ports/oauth-client.ts';

export interface ReleaseGrantDependencies {
  connections: Pick<ConnectionStore, 'othersOfGoogleAccount'>;
  oauth: Pick<OAuthClient, 'revoke'>;
  logger: Pick<Logger, 'warn'>;
}

/**
 * `shared`: another connection rests on the same grant, so it was left alone. `unknown_account`: the connection
 * never recorded its Google account, so the grant was left alone too (it might be shared).
 */
export type GrantRelease = 'revoked' | 'shared' | 'unknown_account' | 'revoke_failed';

/**
 * Revokes a refresh token that nothing of this subscriber will use again, unless another connection of the
 * service rests on the same grant. Google revokes per grant ("Revocation removes all OAuth 2.0 scopes previously
 * granted to a project, invalidating any issued access or refresh tokens for all clients registered under that
 * project", OAuth 2.0 web-server guide), so revoking would also kill every other connection of that Google
 * account. A token of unknown account (a connection made before accounts were recorded, or a grant without an ID
 * token) is not revoked either: nothing can tell whether a later connection of the same account rests on it, and
 * revoking would break that one ("Google refused access"). It is only forgotten, and Google retires it unused
 * (6 months); the subscriber can also remove the access in their Google account's settings.
 * `exceptSubscriberId` is the connection the token belonged to (its own index entry does not count).
 */
export async function releaseGrant(
  deps: ReleaseGrantDependencies,
  refreshToken: string,
  googleAccountKey: string | undefined,
  exceptSubscriberId: string,
): Promise<GrantRelease> {
  if (googleAccountKey === undefined) return 'unknown_account';
  try {
    if ((await deps.connections.othersOfGoogleAccount(googleAccountKey, exceptSubscriberId)).length > 0) {
      return 'shared';
    }
    await deps.oauth.revoke(refreshToken);
    return 'revoked';
  } catch (error) {
    deps.logger.warn('refresh token not revoked', describeError(error));
    return 'revoke_failed';
  }
}
