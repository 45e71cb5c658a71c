import { describe, expect, it } from 'vitest';
import { bindingCookieName } from '../../../lambdas/oauth/use-cases/start-connect.ts';
import { serializeCookie } from '../../../lambdas/shared/adapters/http/responses.ts';

describe('browser-binding cookie', () => {
  const stateHash = 'ab'.repeat(32);

  it('is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/ and without Domain over HTTPS', () => {
    const cookie = serializeCookie({
      name: bindingCookieName(stateHash, true),
      value: 'v',
      maxAgeSeconds: 600,
      secure: true,
    });
    expect(cookie).toBe(
      '__Host-gcal_oauth_abababababababab=v; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure',
    );
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('drops the prefix (which requires Secure) only when configured for plain-HTTP local runs', () => {
    const cookie = serializeCookie({
      name: bindingCookieName(stateHash, false),
      value: 'v',
      maxAgeSeconds: 0,
      secure: false,
    });
    expect(cookie).toBe('gcal_oauth_abababababababab=v; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
  });
});
