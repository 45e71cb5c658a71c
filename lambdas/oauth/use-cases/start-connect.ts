import type { SetCookie } from '../../shared/adapters/http/responses.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { pkceChallenge, randomSecret, sha256Hex } from '../oauth-secrets.ts';
import { acceptedReturnTo } from '../return-to.ts';
import { authenticateFeedToken } from './authenticate.ts';

export interface StartInput {
  feedToken: string | undefined;
  returnTo: string | undefined;
  ip: string;
}

export interface StartOutcome {
  /** Google's consent page, with state, PKCE challenge, scopes, offline access and consent prompt. */
  authorizationUrl: string;
  /** Binds the state to this browser: the callback only accepts the state together with this cookie. */
  bindingCookie: SetCookie;
}

/**
 * The browser-binding cookie is named after the state, so connects started in two tabs do not overwrite each
 * other. `__Host-` (Secure, Path=/, no Domain) keeps sibling domains from planting one.
 */
export function bindingCookieName(stateHash: string, secure: boolean): string {
  return `${secure ? '__Host-' : ''}gcal_oauth_${stateHash.slice(0, 16)}`;
}

export async function startConnect(deps: OAuthDependencies, input: StartInput): Promise<StartOutcome> {
  const { config, cipher, logger } = deps;
  await deps.rateLimiter.checkIp('start', input.ip);
  const subscriberId = await authenticateFeedToken(deps, 'start', input.feedToken);
  const feedToken = input.feedToken as string;
  const accepted = acceptedReturnTo(input.returnTo, config.oauth.returnToAllowList);
  if (input.returnTo && !accepted) logger.warn('return_to not on the allow-list: using the default page');
  const returnTo = accepted ?? config.oauth.defaultReturnTo;
  const feedTokenCiphertext = await cipher.encrypt(feedToken, { subscriberId, purpose: 'feed_token' });
  const feedLookupKey = await deps.identity.feedLookupKey(sha256Hex(feedToken));
  return beginConsent(deps, { subscriberId, feedTokenCiphertext, feedLookupKey, returnTo });
}

/** Stores a fresh single-use state and gives the consent URL and the cookie that goes with it. */
export async function beginConsent(
  deps: Pick<OAuthDependencies, 'config' | 'oauthStates' | 'oauth' | 'now' | 'logger'>,
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
