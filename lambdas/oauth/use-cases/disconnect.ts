import { describeError } from '../../shared/adapters/http/safe-error.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { authenticateFeedToken } from './authenticate.ts';
import { scrubSubscriber } from './scrub-subscriber.ts';

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
 * local trace whatever Google answered. Safe to repeat.
 */
export async function disconnect(
  deps: OAuthDependencies,
  input: DisconnectInput,
): Promise<DisconnectOutcome> {
  await deps.rateLimiter.checkIp('disconnect', input.ip);
  const subscriberId = await authenticateFeedToken(deps, 'disconnect', input.feedToken);
  const connection = await deps.connections.get(subscriberId);
  const outcome: DisconnectOutcome = { disconnected: true, googleAccess: 'none', calendar: 'none' };
  if (connection) {
    outcome.calendar = input.deleteCalendar
      ? await deleteCalendar(deps, subscriberId, connection.calendarId)
      : 'kept';
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
  subscriberId: string,
  calendarId: string,
): Promise<DisconnectOutcome['calendar']> {
  try {
    const accessToken = await deps.accessTokens.accessTokenFor(subscriberId);
    return (await deps.provisioner.delete(accessToken, calendarId)) ? 'deleted' : 'already_gone';
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
