import { describeError } from '../../shared/adapters/http/safe-error.ts';
import type { Connection } from '../../shared/ports/connection-store.ts';
import { scrubSubscriber } from '../../shared/use-cases/scrub-subscriber.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { connectionHoldsFeedToken, feedRefusal, feedVerdict, identifySubscriber } from './authenticate.ts';

export interface DisconnectInput {
  feedToken: string | undefined;
  deleteCalendar: boolean;
  ip: string;
}

export interface DisconnectOutcome {
  disconnected: true;
  /** `revoke_failed`: Google could not be reached; everything local is gone anyway. */
  googleAccess: 'revoked' | 'revoke_failed' | 'none';
  /** `delete_failed`: no valid access (needs re-authorisation) or Google refused; the calendar stays. */
  calendar: 'kept' | 'deleted' | 'already_gone' | 'delete_failed' | 'none';
}

/**
 * Disconnect: optionally deletes the dedicated calendar, revokes the refresh token at Google, then scrubs every
 * local trace whatever Google answered. Safe to repeat. Allowed with a token the ICS service no longer accepts
 * (or cannot check) when it is the very token the stored connection was made with.
 */
export async function disconnect(
  deps: OAuthDependencies,
  input: DisconnectInput,
): Promise<DisconnectOutcome> {
  await deps.rateLimiter.checkIp('disconnect', input.ip);
  const identified = await identifySubscriber(deps, 'disconnect', input.feedToken);
  const { subscriberId } = identified;
  const verdict = await feedVerdict(deps, identified);
  const connection = await deps.connections.get(subscriberId);
  // A link that no longer validates (reset, or the ICS service down) must still be able to remove what it
  // connected: the connection's own encrypted copy of the token proves it instead.
  if (
    verdict !== 'valid' &&
    !(connection && (await connectionHoldsFeedToken(deps, connection, identified.feedToken)))
  ) {
    throw feedRefusal(verdict);
  }
  if (verdict !== 'valid') deps.logger.info('disconnect proven by the stored feed token', { verdict });
  const outcome: DisconnectOutcome = { disconnected: true, googleAccess: 'none', calendar: 'none' };
  if (connection) {
    outcome.calendar = input.deleteCalendar ? await deleteCalendar(deps, connection) : 'kept';
    if (connection.refreshTokenCiphertext) {
      outcome.googleAccess = await revoke(deps, subscriberId, connection.refreshTokenCiphertext);
    }
  }
  await scrubSubscriber(deps, subscriberId);
  deps.logger.info('disconnected', { ...outcome, wasConnected: connection !== undefined });
  return outcome;
}

/** Before the revoke: deleting needs an access token, and revoking kills it. */
async function deleteCalendar(
  deps: OAuthDependencies,
  connection: Connection,
): Promise<DisconnectOutcome['calendar']> {
  try {
    const accessToken = await deps.accessTokens.accessTokenFor(connection.subscriberId, connection);
    return (await deps.provisioner.delete(accessToken, connection.calendarId)) ? 'deleted' : 'already_gone';
  } catch (error) {
    deps.logger.warn('calendar not deleted', describeError(error));
    return 'delete_failed';
  }
}

async function revoke(
  deps: OAuthDependencies,
  subscriberId: string,
  ciphertext: string,
): Promise<DisconnectOutcome['googleAccess']> {
  try {
    const refreshToken = await deps.cipher.decrypt(ciphertext, {
      subscriberId,
      purpose: 'google_refresh_token',
    });
    await deps.oauth.revoke(refreshToken);
    return 'revoked';
  } catch (error) {
    deps.logger.warn('refresh token not revoked', describeError(error));
    return 'revoke_failed';
  }
}
