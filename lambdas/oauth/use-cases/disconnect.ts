import { describeError } from '../../shared/errors.ts';
import { type Connection, ConnectionConflictError } from '../../shared/ports/connection-store.ts';
import { releaseGrant } from '../../shared/use-cases/release-grant.ts';
import { SyncRunningError, scrubSubscriber } from '../../shared/use-cases/scrub-subscriber.ts';
import { tellHost } from '../../shared/use-cases/tell-host.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { refusal } from '../rules/refusals.ts';
import {
  connectionHoldsFeedToken,
  type FeedCheckDependencies,
  feedRefusal,
  feedVerdict,
  identifySubscriber,
} from './authenticate.ts';
import {
  type CallerDependencies,
  type CallerInput,
  countForSubscriber,
  countingFailures,
  identifyCaller,
} from './caller.ts';
import { type IntentDependencies, requireDisconnectIntent } from './require-intent.ts';

export interface DisconnectInput extends CallerInput {
  feedToken: string | undefined;
  deleteCalendar: boolean;
  /** The host's `disconnect` or `delete_calendar` intent (require-intent.ts). */
  intent?: string | undefined;
}

export interface DisconnectOutcome {
  disconnected: true;
  /**
   * `revoke_failed`: Google could not be reached; everything local is gone anyway. `shared`: another connection
   * of this service uses the same Google account, so the grant stays (Google revokes per grant).
   * `unknown_account`: the connection never recorded its Google account, so the grant stays too, as it may back
   * another connection; the token is only forgotten here.
   */
  googleAccess: 'revoked' | 'shared' | 'unknown_account' | 'revoke_failed' | 'none';
  /** `delete_failed`: no valid access (needs re-authorisation) or Google refused; the calendar stays. */
  calendar: 'kept' | 'deleted' | 'already_gone' | 'delete_failed' | 'none';
}

type DisconnectDependencies = IntentDependencies &
  FeedCheckDependencies &
  CallerDependencies &
  Pick<
    OAuthDependencies,
    | 'identity'
    | 'rateLimiter'
    | 'connections'
    | 'cipher'
    | 'oauth'
    | 'provisioner'
    | 'accessTokens'
    | 'eventMap'
    | 'syncState'
    | 'hostEvents'
  >;

/**
 * Disconnect: optionally deletes the dedicated calendar, revokes the refresh token at Google, then scrubs every
 * local trace whatever Google answered. Safe to repeat. Allowed with a token the ICS service no longer accepts
 * (or cannot check) when it is the very token the stored connection was made with.
 */
export async function disconnect(
  deps: DisconnectDependencies,
  input: DisconnectInput,
): Promise<DisconnectOutcome> {
  const caller = await identifyCaller(deps, 'disconnect', input);
  const { identified, verdict, connection } = await countingFailures(deps, 'disconnect', caller, async () => {
    await requireDisconnectIntent(deps, input);
    const identified = await identifySubscriber(deps, input.feedToken);
    const verdict = await feedVerdict(deps, identified);
    const connection = await deps.connections.get(identified.subscriberId);
    // A link that no longer validates (reset, or the ICS service down) must still be able to remove what it
    // connected: the connection's own encrypted copy of the token proves it instead.
    if (
      verdict !== 'valid' &&
      !(connection && (await connectionHoldsFeedToken(deps, connection, identified.feedToken)))
    ) {
      throw feedRefusal(verdict);
    }
    return { identified, verdict, connection };
  });
  const { subscriberId } = identified;
  // Counted once proven (the intent, the token): a leaked token alone spends nothing of the subscriber's.
  await countForSubscriber(deps, 'disconnect', caller, subscriberId);
  if (verdict !== 'valid') deps.logger.info('disconnect proven by the stored feed token', { verdict });
  const outcome: DisconnectOutcome = { disconnected: true, googleAccess: 'none', calendar: 'none' };
  // The connection is removed only in the version this disconnect read and released: a reconnect that stores a
  // new token meanwhile would otherwise end up deleted with its token still live and held by nothing. So a
  // changed connection is disconnected again, in its new version, a few times at most.
  let current = connection;
  for (let attempt = 1; ; attempt += 1) {
    if (current) {
      if (input.deleteCalendar && outcome.calendar !== 'deleted') {
        outcome.calendar = await deleteCalendar(deps, current);
      } else if (!input.deleteCalendar) outcome.calendar = 'kept';
      if (current.refreshTokenCiphertext) outcome.googleAccess = await revoke(deps, current);
    }
    try {
      await scrubSubscriber(deps, subscriberId, {
        expectedVersion: current?.version,
        waitMs: SYNC_WAIT_MS,
      });
      break;
    } catch (error) {
      if (error instanceof SyncRunningError) throw refusal('sync_running');
      if (!(error instanceof ConnectionConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      current = await deps.connections.get(subscriberId);
    }
  }
  deps.logger.info('disconnected', { ...outcome, wasConnected: connection !== undefined });
  if (connection || current) await tellHost(deps, 'disconnected', { feedToken: identified.feedToken });
  return outcome;
}

/** A disconnect waits this long for a running sync to end (well inside API Gateway's 29 s), then refuses. */
const SYNC_WAIT_MS = 10_000;
/** Reconnects landing during one disconnect: more than a few in a row is not a person clicking. */
const MAX_ATTEMPTS = 3;

/** Before the revoke: deleting needs an access token, and revoking kills it. */
async function deleteCalendar(
  deps: Pick<OAuthDependencies, 'accessTokens' | 'provisioner' | 'logger'>,
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

/**
 * Revokes the connection's grant unless another connection of the service uses the same Google account (Google
 * revokes per grant: revoking would disconnect that one too); then the token is only forgotten with the scrub.
 */
async function revoke(
  deps: Pick<OAuthDependencies, 'cipher' | 'connections' | 'oauth' | 'logger'>,
  connection: Connection,
): Promise<DisconnectOutcome['googleAccess']> {
  try {
    const refreshToken = await deps.cipher.decrypt(connection.refreshTokenCiphertext as string, {
      subscriberId: connection.subscriberId,
      purpose: 'google_refresh_token',
    });
    // `unknown_account` reaches the answer and the 'disconnected' log line as it is.
    return await releaseGrant(deps, refreshToken, connection.googleAccountKey, connection.subscriberId);
  } catch (error) {
    deps.logger.warn('refresh token not revoked', describeError(error));
    return 'revoke_failed';
  }
}
