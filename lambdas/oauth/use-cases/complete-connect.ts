import { randomBytes } from 'node:crypto';
import { describeError } from '../../shared/errors.ts';
import { CalendarProvisioningError } from '../../shared/ports/calendar-provisioner.ts';
import { type Connection, ConnectionConflictError } from '../../shared/ports/connection-store.ts';
import {
  type GrantedTokens,
  InvalidGrantError,
  OAuthRequestError,
  OAuthUnavailableError,
} from '../../shared/ports/oauth-client.ts';
import type { OAuthStateRecord } from '../../shared/ports/oauth-state-store.ts';
import { releaseGrant } from '../../shared/use-cases/release-grant.ts';
import { requestImmediateSync } from '../../shared/use-cases/request-sync.ts';
import { tellHost } from '../../shared/use-cases/tell-host.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { equalHex, RANDOM_SECRET_PATTERN, sha256Hex } from '../rules/oauth-secrets.ts';
import { refusal } from '../rules/refusals.ts';
import { withOutcome } from '../rules/return-to.ts';
import { countForSubscriber, countingFailures, identifyCaller } from './caller.ts';
import { type BindingCookie, bindingCookieName } from './start-connect.ts';

export interface CallbackInput {
  state: string | undefined;
  code: string | undefined;
  /** Google's `error` parameter (`access_denied` when the user clicked Cancel). */
  error: string | undefined;
  cookies: Map<string, string>;
  ip: string;
}

/** Where the browser goes next: back to the return page with the outcome. */
export interface CallbackOutcome {
  location: string;
  cookies: BindingCookie[];
}

type CallbackDependencies = Pick<
  OAuthDependencies,
  | 'config'
  | 'logger'
  | 'now'
  | 'rateLimiter'
  | 'oauthStates'
  | 'oauth'
  | 'identity'
  | 'connections'
  | 'provisioner'
  | 'cipher'
  | 'eventMap'
  | 'syncState'
  | 'accessTokens'
  | 'syncQueue'
  | 'hostEvents'
  | 'intents'
>;

/** What revoking or keeping a grant nothing holds any more takes (releaseGrant). */
type GrantDependencies = Pick<OAuthDependencies, 'connections' | 'oauth' | 'logger'>;

/** The `reason` put on the return URL next to `google=error`. */
type ConnectFailure =
  | 'access_denied' // the user said no on Google's consent page
  | 'insufficient_scope' // the user unticked the calendar permission
  | 'no_refresh_token' // Google gave no offline access
  | 'authorization_failed' // the code was refused (used, expired, PKCE mismatch) or Google returned an error
  | 'google_unavailable' // Google could not be reached: try again
  | 'calendar_unavailable' // the dedicated calendar could not be checked or created
  | 'busy'; // another connect for the same subscriber finished at the same moment

const OAUTH_ERROR_CODE = /^[a-z_]{1,40}$/;

/**
 * The OAuth callback: consumes the single-use state (refusing missing, unknown, replayed, expired, or another
 * browser's), exchanges the code with the PKCE verifier, checks the granted scope, provisions the dedicated
 * calendar (reusing the subscriber's if it still exists), stores the connection with both secrets encrypted,
 * and asks for a first sync.
 *
 * Google revokes per grant, not per token: "Revocation removes all OAuth 2.0 scopes previously granted to a
 * project, invalidating any issued access or refresh tokens for all clients registered under that project"
 * (OAuth 2.0 web-server guide, token revocation). So a reconnect never revokes the refresh token it replaces:
 * with the same Google account that would kill the token just received too. The new token simply replaces the
 * old one in storage (one per subscriber); the old one is never used again and Google retires it (100 live
 * tokens per account and client, 6 months unused). Tokens a refused connect received are dropped, not revoked,
 * for the same reason, unless they lack a needed scope (see `revokeRefusedGrant`).
 */
export async function completeConnect(
  deps: CallbackDependencies,
  input: CallbackInput,
): Promise<CallbackOutcome> {
  const { config, logger } = deps;
  // Only a failed state or browser binding counts against the IP; a valid one against the subscriber.
  const caller = await identifyCaller(deps, 'callback', { ip: input.ip });
  const record = await countingFailures(deps, 'callback', caller, () => consumeBoundState(deps, input));
  logger.appendKeys({ subscriberId: record.subscriberId });
  await countForSubscriber(deps, 'callback', caller, record.subscriberId);

  const clearCookie: BindingCookie = {
    name: bindingCookieName(record.stateHash, config.oauth.cookie.secure),
    value: '',
    maxAgeSeconds: 0,
    secure: config.oauth.cookie.secure,
  };
  const outcome = await connectWithCallback(deps, input, record);
  if (outcome !== 'connected') logger.info('connect not completed', { reason: outcome });
  const params: Record<string, string> =
    outcome === 'connected' ? { google: 'connected' } : { google: 'error', reason: outcome };
  return { location: withOutcome(record.returnTo, params), cookies: [clearCookie] };
}

/** A granted connect, as far as it got: what the connection is stored from. */
interface GrantedConnect {
  record: OAuthStateRecord;
  refreshToken: string;
  granted: GrantedTokens;
  calendar: DedicatedCalendar;
  existing: Connection | undefined;
  googleAccountKey: string | undefined;
  /** Another Google account than the connection's. */
  switched: boolean;
}

/** The callback's steps once its state is consumed: Google's answer, the grant, the calendar, the connection. */
async function connectWithCallback(
  deps: CallbackDependencies,
  input: CallbackInput,
  record: OAuthStateRecord,
): Promise<'connected' | ConnectFailure> {
  if (input.error !== undefined) {
    if (OAUTH_ERROR_CODE.test(input.error))
      deps.logger.info('Google returned an error', { oauthError: input.error });
    return input.error === 'access_denied' ? 'access_denied' : 'authorization_failed';
  }
  if (!input.code) return 'authorization_failed';
  const granted = await exchangeCode(deps, input.code, record);
  if (typeof granted === 'string') return granted;

  const existing = await deps.connections.get(record.subscriberId);
  const missingScopes = deps.config.oauth.scopes.filter((scope) => !granted.grantedScopes.includes(scope));
  if (missingScopes.length > 0) {
    await revokeRefusedGrant(deps, granted);
    return 'insufficient_scope';
  }
  // From here on the grant holds every scope the service needs, so connections of this Google account (this
  // subscriber's existing one, or another subscriber's) may be working with it: a refused connect drops the
  // tokens it received without revoking them.
  const refreshToken = granted.refreshToken;
  if (!refreshToken) return 'no_refresh_token';
  const googleAccountKey = granted.googleAccountId
    ? await deps.identity.googleAccountKey(granted.googleAccountId)
    : undefined;
  // Another Google account than the connection's: its calendar is not in this account, so a new one is made.
  const switched =
    existing?.googleAccountKey !== undefined &&
    googleAccountKey !== undefined &&
    existing.googleAccountKey !== googleAccountKey;

  let calendar: DedicatedCalendar;
  try {
    calendar = await dedicatedCalendar(deps, granted.accessToken, switched ? undefined : existing);
  } catch (error) {
    if (!(error instanceof CalendarProvisioningError)) throw error;
    deps.logger.warn('dedicated calendar unavailable', describeError(error));
    return 'calendar_unavailable';
  }
  return storeAndAnnounce(deps, {
    record,
    refreshToken,
    granted,
    calendar,
    existing,
    googleAccountKey,
    switched,
  });
}

/** Exchanges the code with the PKCE verifier; Google's refusal or absence is a failure to show, not a crash. */
async function exchangeCode(
  deps: CallbackDependencies,
  code: string,
  record: OAuthStateRecord,
): Promise<GrantedTokens | ConnectFailure> {
  try {
    return await deps.oauth.exchangeCode({ code, codeVerifier: record.codeVerifier });
  } catch (error) {
    deps.logger.warn('code exchange failed', describeError(error));
    if (error instanceof OAuthUnavailableError) return 'google_unavailable';
    if (error instanceof InvalidGrantError || error instanceof OAuthRequestError)
      return 'authorization_failed';
    throw error;
  }
}

/**
 * Stores the connection (or, should another connect win the race, undoes what this one made), then lets the
 * access token cache, the log, the host and the sync queue know.
 */
async function storeAndAnnounce(
  deps: CallbackDependencies,
  flow: GrantedConnect,
): Promise<'connected' | ConnectFailure> {
  const { record, granted, calendar, existing, switched } = flow;
  const { logger } = deps;
  const now = deps.now().toISOString();
  const stored = await storeConnection(deps, { ...flow, now });
  if (!stored) {
    if (calendar.created) await deleteQuietly(deps, granted.accessToken, calendar.calendarId);
    await dropLosingGrant(deps, record.subscriberId, flow.refreshToken, flow.googleAccountKey);
    return 'busy';
  }
  if (switched && existing?.refreshTokenCiphertext) {
    // The previous account's token is held by nothing now: revoked, unless another connection uses that account.
    await releaseReplacedGrant(deps, existing);
  }
  const storedCiphertext = stored.refreshTokenCiphertext as string;
  deps.accessTokens.remember(
    record.subscriberId,
    storedCiphertext,
    granted.accessToken,
    granted.accessTokenExpiresAt,
  );
  logger.info('connected', {
    calendarCreated: calendar.created,
    reconnect: existing !== undefined,
    previousCalendarOutOfReach: calendar.abandonedCalendarId !== undefined,
  });
  await tellHost(
    deps,
    existing ? 'replaced' : 'connected',
    { subscriberId: record.subscriberId, feedTokenCiphertext: record.feedTokenCiphertext },
    existing ? { googleAccountChanged: switched } : {},
  );
  try {
    await requestImmediateSync(deps, [record.subscriberId], 'connected');
  } catch (error) {
    // Not fatal: the connection is stored and scheduled, the next scheduled sync fills the calendar.
    logger.warn('first sync not enqueued', describeError(error));
  }
  return 'connected';
}

/**
 * Writes the connection over the version read before (undefined when another connect got there first). A new
 * calendar gets a new event-id salt, and the event map and sync state of the old calendar are dropped.
 */
async function storeConnection(
  deps: Pick<OAuthDependencies, 'connections' | 'cipher' | 'eventMap' | 'syncState'>,
  flow: {
    record: OAuthStateRecord;
    refreshToken: string;
    granted: GrantedTokens;
    calendar: DedicatedCalendar;
    existing: Connection | undefined;
    now: string;
    googleAccountKey: string | undefined;
    switched: boolean;
  },
): Promise<Connection | undefined> {
  const { record, existing, calendar, now } = flow;
  // Kept across reconnects to the same account, so the status goes on saying since when it is another one.
  const changedAt = flow.switched ? now : existing?.googleAccountChangedAt;
  const subscriberId = record.subscriberId;
  const sameCalendar = existing !== undefined && existing.calendarId === calendar.calendarId;
  // Named until a reconnect moves to yet another calendar: the subscriber removes it in Google when they like.
  const abandonedCalendarId =
    calendar.abandonedCalendarId ?? (sameCalendar ? existing.abandonedCalendarId : undefined);
  let saved: Connection;
  try {
    saved = await deps.connections.save(
      {
        subscriberId,
        status: 'connected',
        calendarId: calendar.calendarId,
        refreshTokenCiphertext: await deps.cipher.encrypt(flow.refreshToken, {
          subscriberId,
          purpose: 'google_refresh_token',
        }),
        feedTokenCiphertext: record.feedTokenCiphertext,
        ...(record.feedLookupKey ? { feedLookupKey: record.feedLookupKey } : {}),
        ...(flow.googleAccountKey ? { googleAccountKey: flow.googleAccountKey } : {}),
        ...(changedAt ? { googleAccountChangedAt: changedAt } : {}),
        ...(abandonedCalendarId ? { abandonedCalendarId } : {}),
        eventIdSalt: sameCalendar ? existing.eventIdSalt : randomBytes(16).toString('hex'),
        grantedScopes: flow.granted.grantedScopes.join(' '),
        connectedAt: now,
        updatedAt: now,
        scheduled: true,
      },
      existing?.version,
    );
  } catch (error) {
    if (error instanceof ConnectionConflictError) return undefined;
    throw error;
  }
  if (existing && !sameCalendar) {
    // The map and sync state described the old calendar: the first sync fills the new one from scratch.
    await deps.eventMap.removeAll(subscriberId);
    await deps.syncState.remove(subscriberId);
  }
  return saved;
}

/** The state record, if the state is known, unused, unexpired and presented by the browser that started it. */
async function consumeBoundState(
  deps: Pick<OAuthDependencies, 'oauthStates' | 'now' | 'config' | 'logger'>,
  input: CallbackInput,
): Promise<OAuthStateRecord> {
  if (!input.state) throw refusal('state_missing');
  if (!RANDOM_SECRET_PATTERN.test(input.state)) throw refusal('state_invalid');
  const stateHash = sha256Hex(input.state);
  // Consumed before the cookie is checked: a state presented by the wrong browser is burnt, not left for later.
  const consumed = await deps.oauthStates.consume(stateHash, deps.now());
  if (consumed.outcome === 'unknown') throw refusal('state_invalid');
  if (consumed.outcome === 'expired') throw refusal('state_expired');
  const cookie = input.cookies.get(bindingCookieName(stateHash, deps.config.oauth.cookie.secure));
  if (
    !cookie ||
    !RANDOM_SECRET_PATTERN.test(cookie) ||
    !equalHex(sha256Hex(cookie), consumed.record.browserBindingHash)
  ) {
    deps.logger.appendKeys({ subscriberId: consumed.record.subscriberId });
    throw refusal('browser_mismatch');
  }
  return consumed.record;
}

interface DedicatedCalendar {
  calendarId: string;
  created: boolean;
  /** The previous calendar, still in the account but out of this OAuth client's reach: the subscriber removes it. */
  abandonedCalendarId?: string;
}

/**
 * The subscriber's calendar if this token reaches it, else a new one. A calendar the token cannot reach is
 * treated as gone, whether deleted (404, 410) or made by another OAuth client of the service (403
 * insufficientPermissions, after the operator changed the client: calendar.app.created calendars belong to the
 * client that made them, and no client can ever be granted another's). Only the second is named as abandoned:
 * a deleted calendar leaves nothing to remove. A new calendar gets a new event-id salt and a fresh map and sync
 * state (storeConnection), so nothing of the old one is reused.
 */
async function dedicatedCalendar(
  deps: Pick<OAuthDependencies, 'provisioner' | 'config'>,
  accessToken: string,
  existing: Connection | undefined,
): Promise<DedicatedCalendar> {
  const visibility = existing
    ? await deps.provisioner.visibility(accessToken, existing.calendarId)
    : undefined;
  if (existing && visibility === 'visible') return { calendarId: existing.calendarId, created: false };
  const { name, timeZone } = deps.config.calendar;
  const calendarId = await deps.provisioner.create(accessToken, {
    summary: name,
    timeZone,
    description: 'Kept in sync with your ICS subscription. Changes made here may be overwritten.',
  });
  return existing && visibility === 'hidden'
    ? { calendarId, created: true, abandonedCalendarId: existing.calendarId }
    : { calendarId, created: true };
}

/**
 * Revokes the grant behind tokens whose scopes lack what the service needs (the user unticked a permission).
 * Revocation is grant-wide (every token of that Google account for this project), so it is only safe when no
 * working connection can rest on the grant: the authorization request sends `include_granted_scopes=true`, so
 * the token carries every scope the account has granted the project, and a grant lacking a needed scope backs
 * no working connection (unless the operator added a scope since: those connections then need a reconnect
 * anyway). The refused paths after the scope check (no refresh token, calendar unavailable, busy) revoke
 * nothing: there the grant holds every scope, and revoking would also kill any connection of the same Google
 * account - this subscriber's existing one, or another subscriber's - which the service cannot rule out.
 */
async function revokeRefusedGrant(
  deps: Pick<OAuthDependencies, 'oauth' | 'logger'>,
  granted: GrantedTokens,
): Promise<void> {
  try {
    await deps.oauth.revoke(granted.refreshToken ?? granted.accessToken);
  } catch (error) {
    deps.logger.warn('refused grant not revoked', describeError(error));
  }
}

/**
 * A connect that lost the race to store the connection holds a refresh token nothing will use. Most often the
 * winner used the same Google account (two tabs), and revoking would kill the winner's token too: kept. When the
 * winner's account is another one and no connection uses this account, the token is revoked. Unknown accounts
 * (no ID token) revoke nothing, as the service cannot rule out a shared grant.
 */
async function dropLosingGrant(
  deps: GrantDependencies,
  subscriberId: string,
  refreshToken: string,
  googleAccountKey: string | undefined,
): Promise<void> {
  if (googleAccountKey === undefined) return;
  const winner = await deps.connections.get(subscriberId);
  if (winner?.googleAccountKey === googleAccountKey) return;
  const released = await releaseGrant(deps, refreshToken, googleAccountKey, subscriberId);
  deps.logger.info('losing connect dropped its grant', { grant: released });
}

/** The refresh token of the account a reconnect moved away from. */
async function releaseReplacedGrant(
  deps: GrantDependencies & Pick<OAuthDependencies, 'cipher'>,
  replaced: Connection,
): Promise<void> {
  try {
    const refreshToken = await deps.cipher.decrypt(replaced.refreshTokenCiphertext as string, {
      subscriberId: replaced.subscriberId,
      purpose: 'google_refresh_token',
    });
    const released = await releaseGrant(deps, refreshToken, replaced.googleAccountKey, replaced.subscriberId);
    deps.logger.info('previous Google account released', { grant: released });
  } catch (error) {
    deps.logger.warn('previous Google account not released', describeError(error));
  }
}

async function deleteQuietly(
  deps: Pick<OAuthDependencies, 'provisioner' | 'logger'>,
  accessToken: string,
  calendarId: string,
): Promise<void> {
  try {
    await deps.provisioner.delete(accessToken, calendarId);
  } catch (error) {
    deps.logger.warn('orphan calendar not deleted', describeError(error));
  }
}
