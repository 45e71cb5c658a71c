/**
 * OAuth 2.0 endpoints as Google answers them, one file each: the authorization page and its consent form
 * (authorization.ts), token (token-endpoint.ts), revoke (revocation.ts) and tokeninfo (token-info.ts). The
 * tokens, codes, grants and ID tokens behind them: tokens.ts.
 */
import type { EmulatorCore } from '../core.ts';
import type { Route } from '../routing.ts';
import { authorizationEndpoint } from './authorization.ts';
import { CONSENT_PATH } from './consent-page.ts';
import { revocationEndpoint } from './revocation.ts';
import { tokenEndpoint } from './token-endpoint.ts';
import { tokenInfoEndpoint } from './token-info.ts';

export function oauthRoutes(core: EmulatorCore): Route[] {
  const { authorize, consent } = authorizationEndpoint(core);
  const token = tokenEndpoint(core);
  const revoke = revocationEndpoint(core);
  const tokenInfo = tokenInfoEndpoint(core);
  const route = (method: Route['method'], path: string, name: string, handle: Route['handle']): Route => ({
    method,
    path: new RegExp(`^${path}$`),
    name,
    kind: 'oauth',
    handle,
  });
  return [
    route('GET', '/o/oauth2/v2/auth', 'oauth2.authorize', authorize),
    route('POST', CONSENT_PATH, 'oauth2.consent', consent),
    route('POST', '/token', 'oauth2.token', token),
    route('POST', '/revoke', 'oauth2.revoke', revoke),
    route('GET', '/revoke', 'oauth2.revoke', revoke),
    route('GET', '/tokeninfo', 'oauth2.tokeninfo', tokenInfo),
    route('POST', '/tokeninfo', 'oauth2.tokeninfo', tokenInfo),
  ];
}
