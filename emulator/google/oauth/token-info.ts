/** The tokeninfo endpoint: what an access token is (its user, client, scopes and expiry). */
import type { EmulatorCore } from '../core.ts';
import { OAuthError } from '../errors.ts';
import { parseForm } from '../http.ts';
import type { Reply, RequestContext } from '../routing.ts';

/** `GET` or `POST /tokeninfo` with `access_token` in the query or the form, or as a bearer token. */
export function tokenInfoEndpoint(core: EmulatorCore): (context: RequestContext) => Reply {
  return (context) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(context.headers.authorization ?? '');
    const value =
      context.query.get('access_token') ?? parseForm(context.body).get('access_token') ?? bearer?.[1];
    const info = value ? core.tokens.authenticate(value) : undefined;
    if (!info) throw new OAuthError(400, 'invalid_token', 'Invalid Value');
    const user = core.accounts.userById(info.userId);
    const expiresIn = Math.max(0, Math.floor((info.expiresAt - core.now()) / 1000));
    const withEmail = info.scopes.some((scope) => scope === 'email' || scope.endsWith('/userinfo.email'));
    return {
      status: 200,
      json: {
        azp: info.clientId,
        aud: info.clientId,
        sub: user.id,
        scope: info.scopes.join(' '),
        exp: String(Math.floor(info.expiresAt / 1000)),
        expires_in: String(expiresIn),
        ...(withEmail ? { email: user.email, email_verified: 'true' } : {}),
        access_type: info.offline ? 'offline' : 'online',
      },
    };
  };
}
