import { describe, expect, it } from 'vitest';
import { acceptedReturnTo, resolveReturnTo, withOutcome } from '../../../lambdas/oauth/rules/return-to.ts';

const ALLOWED = ['https://app.example.com/settings', 'https://app.example.com/'];
const FALLBACK = 'https://app.example.com/';

describe('return_to allow-list', () => {
  it.each([
    ['https://app.example.com/settings', 'https://app.example.com/settings'],
    ['https://app.example.com/settings?tab=google', 'https://app.example.com/settings'],
    ['https://app.example.com/settings?reason=Your+account+is+locked', 'https://app.example.com/settings'],
    ['https://app.example.com/settings#frag', 'https://app.example.com/settings'],
    ['https://app.example.com', 'https://app.example.com/'],
  ])('accepts %s', (raw, expected) => {
    expect(acceptedReturnTo(raw, ALLOWED)).toBe(expected);
  });

  it.each([
    ['another site', 'https://evil.example/settings'],
    ['protocol-relative', '//evil.example'],
    ['protocol-relative with path', '//evil.example/settings'],
    ['scheme without slashes', 'https:evil.example'],
    ['scheme with one slash', 'https:/evil.example'],
    ['three slashes', 'https:///evil.example'],
    ['backslashes', 'https:\\\\evil.example'],
    ['mixed backslash', 'https://app.example.com\\@evil.example'],
    ['backslash in path', 'https://app.example.com/\\evil.example'],
    ['userinfo', 'https://app.example.com@evil.example/settings'],
    ['userinfo with password', 'https://app.example.com:pw@evil.example/settings'],
    ['encoded at sign', 'https://app.example.com%40evil.example/settings'],
    ['encoded slashes', 'https:%2F%2Fevil.example'],
    ['encoded path traversal', 'https://app.example.com/settings/..%2F..%2Fadmin'],
    ['other path', 'https://app.example.com/admin'],
    ['path prefix only', 'https://app.example.com/settings/extra'],
    ['suffix host', 'https://app.example.com.evil.example/settings'],
    ['other port', 'https://app.example.com:8443/settings'],
    ['plain http', 'http://app.example.com/settings'],
    ['javascript', 'javascript:alert(1)'],
    ['data', 'data:text/html,hi'],
    ['tab inside', 'https://app.example.com/set\ttings'],
    ['newline', 'https://app.example.com/settings\n'],
    ['leading space', ' https://app.example.com/settings'],
    ['relative', '/settings'],
    ['empty', ''],
    ['too long', `https://app.example.com/settings?x=${'a'.repeat(3000)}`],
  ])('refuses %s', (_, raw) => {
    expect(acceptedReturnTo(raw, ALLOWED)).toBeUndefined();
    expect(resolveReturnTo(raw, ALLOWED, FALLBACK)).toBe(FALLBACK);
  });

  it('keeps only origin and path, so no text of the caller reaches the page next to the outcome', () => {
    const accepted = acceptedReturnTo(
      'https://app.example.com/settings?reason=Your+account+is+locked&google=connected',
      ALLOWED,
    );
    expect(withOutcome(accepted as string, { google: 'error', reason: 'busy' })).toBe(
      'https://app.example.com/settings?google=error&reason=busy',
    );
  });

  it('uses the default page when there is no return_to', () => {
    expect(resolveReturnTo(undefined, ALLOWED, FALLBACK)).toBe(FALLBACK);
  });

  it('sets the outcome parameters, replacing ones of the same name', () => {
    expect(
      withOutcome('https://app.example.com/settings?google=x&tab=a', { google: 'error', reason: 'busy' }),
    ).toBe('https://app.example.com/settings?google=error&tab=a&reason=busy');
  });
});
