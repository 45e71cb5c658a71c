import type { OAuthDependencies } from '../dependencies.ts';
import { pkceChallenge, randomSecret, sha256Hex } from '../rules/oauth-secrets.ts';
import { acceptedReturnTo } from '../rules/return-to.ts';
import {
  type AuthenticationDependencies,
  checkedFeed,
  feedRefusal,
  identifySubscriber,
} from './authenticate.ts';
import { countForSubscriber, countingFailures, identifyCaller } from './caller.ts';
import { type IntentDependencies, requireIntent } from './require-intent.ts';

export interface StartInput {
  feedToken: string | undefined;
  returnTo: string | undefined;
  /** The host's connect intent (connect-intent.ts); required unless CONNECT_INTENTS=token_only. */
  intent: string | undefined;
  ip: string;
}

export interface ConfirmationOutcome {
  /** The feed's X-WR-CALNAME (plain text, unescaped), when it has one: chosen by whoever writes the feed. */
  calendarName: string | undefined;
  /** The host's signed name for the calendar (the intent's `label`), when it gives one. */
  hostLabel: string | undefined;
  /** Where "Cancel" leads: the accepted return_to, else the default page. */
  returnTo: string;
}

/** A cookie for the browser to keep (or, with `maxAgeSeconds` 0, to drop); the handler sets it. */
export interface BindingCookie {
  name: string;
  value: string;
  /** Seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
  secure: boolean;
}

export interface StartOutcome {
  /** Google's consent page, with state, PKCE challenge, scopes, offline access and consent prompt. */
  authorizationUrl: string;
  /** Binds the state to this browser: the callback only accepts the state together with this cookie. */
  bindingCookie: BindingCookie;
}

/** Proving the feed token and the host's intent. */
type ProvenFeedDependencies = AuthenticationDependencies & IntentDependencies;

type ConsentDependencies = Pick<OAuthDependencies, 'config' | 'oauthStates' | 'oauth' | 'now' | 'logger'>;

/**
 * The browser-binding cookie is named after the state, so connects started in two tabs do not overwrite each
 * other. `__Host-` (Secure, Path=/, no Domain) keeps sibling domains from planting one.
 */
export function bindingCookieName(stateHash: string, secure: boolean): string {
  return `${secure ? '__Host-' : ''}gcal_oauth_${stateHash.slice(0, 16)}`;
}

/**
 * What the confirmation page (GET start) shows: the feed token is proven and the intent checked without
 * consuming its nonce, so the form on the page can still use it. Nothing is stored.
 */
export async function prepareConnect(
  deps: ProvenFeedDependencies,
  input: StartInput,
): Promise<ConfirmationOutcome> {
  const { config } = deps;
  const { calendarName, hostLabel } = await provenFeed(deps, input, { consume: false });
  const returnTo = acceptedReturnTo(input.returnTo, config.oauth.returnToAllowList);
  return { calendarName, hostLabel, returnTo: returnTo ?? config.oauth.defaultReturnTo };
}

/** Starts a connect (POST start): the intent is consumed, a state stored, and the browser sent to Google. */
export async function startConnect(
  deps: ProvenFeedDependencies & ConsentDependencies & Pick<OAuthDependencies, 'cipher'>,
  input: StartInput,
): Promise<StartOutcome> {
  const { config, cipher, logger } = deps;
  const { subscriberId } = await provenFeed(deps, input, { consume: true });
  const feedToken = input.feedToken as string;
  const accepted = acceptedReturnTo(input.returnTo, config.oauth.returnToAllowList);
  if (input.returnTo && !accepted) logger.warn('return_to not on the allow-list: using the default page');
  const returnTo = accepted ?? config.oauth.defaultReturnTo;
  const feedTokenCiphertext = await cipher.encrypt(feedToken, { subscriberId, purpose: 'feed_token' });
  const feedLookupKey = await deps.identity.feedLookupKey(sha256Hex(feedToken));
  return beginConsent(deps, { subscriberId, feedTokenCiphertext, feedLookupKey, returnTo });
}

/**
 * The feed token proven (well formed, its feed a calendar), then the connect intent. The token first, so a wrong
 * token reads "not valid" whatever the intent; the intent before any state. A failure counts against the IP;
 * only a proven request (intent included) counts against the subscriber, so a leaked feed token without an
 * intent cannot lock the subscriber out of connecting.
 */
async function provenFeed(
  deps: ProvenFeedDependencies,
  input: StartInput,
  { consume }: { consume: boolean },
): Promise<{ subscriberId: string; calendarName: string | undefined; hostLabel: string | undefined }> {
  const caller = await identifyCaller(deps, 'start', { ip: input.ip });
  const proven = await countingFailures(deps, 'start', caller, async () => {
    const identified = await identifySubscriber(deps, input.feedToken);
    const { verdict, calendarName } = await checkedFeed(deps, identified);
    if (verdict !== 'valid') throw feedRefusal(verdict);
    const intent = await requireIntent(
      deps,
      { action: 'connect', intent: input.intent, feedToken: input.feedToken, returnTo: input.returnTo },
      { consume },
    );
    return { subscriberId: identified.subscriberId, calendarName, hostLabel: intent?.label };
  });
  await countForSubscriber(deps, 'start', caller, proven.subscriberId);
  return proven;
}

/** Stores a fresh single-use state and gives the consent URL and the cookie that goes with it. */
async function beginConsent(
  deps: ConsentDependencies,
  flow: { subscriberId: string; feedTokenCiphertext: string; feedLookupKey?: string; returnTo: string },
): Promise<StartOutcome> {
  const { config, oauthStates, oauth } = deps;
  const state = randomSecret();
  const binding = randomSecret();
  const codeVerifier = randomSecret();
  const stateHash = sha256Hex(state);
  const now = deps.now();
  const ttl = config.oauth.stateTtlSeconds;
  await oauthStates.put({
    stateHash,
    subscriberId: flow.subscriberId,
    codeVerifier,
    browserBindingHash: sha256Hex(binding),
    feedTokenCiphertext: flow.feedTokenCiphertext,
    ...(flow.feedLookupKey ? { feedLookupKey: flow.feedLookupKey } : {}),
    returnTo: flow.returnTo,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + ttl,
  });
  const authorizationUrl = await oauth.authorizationUrl({
    state,
    codeChallenge: pkceChallenge(codeVerifier),
    scopes: config.oauth.scopes,
  });
  deps.logger.info('connect started');
  const secure = config.oauth.cookie.secure;
  return {
    authorizationUrl,
    bindingCookie: { name: bindingCookieName(stateHash, secure), value: binding, maxAgeSeconds: ttl, secure },
  };
}
