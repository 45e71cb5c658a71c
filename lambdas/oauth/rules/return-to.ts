/**
 * Where the browser goes after connecting. Only an exact `origin + path` of the allow-list is accepted (and only
 * that is kept: query and fragment are dropped), and only in plain form: anything that needs a browser's lenient parsing to mean something (backslashes, missing or
 * encoded slashes, credentials, control characters) goes to the default page instead. No open redirect.
 */
const MAX_LENGTH = 2048;

export function resolveReturnTo(
  raw: string | undefined,
  allowList: readonly string[],
  fallback: string,
): string {
  return acceptedReturnTo(raw, allowList) ?? fallback;
}

export function acceptedReturnTo(raw: string | undefined, allowList: readonly string[]): string | undefined {
  if (!raw || raw.length > MAX_LENGTH) return undefined;
  // Browsers read `\` as `/`, skip tabs and newlines, and strip control characters: refuse all of them.
  // `@` would introduce credentials (`https://app.example@evil.example`).
  if (/[\\@\s\p{Cc}]/u.test(raw)) return undefined;
  // The scheme and `//` literally, then a host character (refuses `https:evil`, `https:/evil`, `///evil`).
  const authority = /^https?:\/\/([^/?#]+)/.exec(raw)?.[1];
  if (!authority || authority.includes('%')) return undefined;
  if (!URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  if (url.username || url.password) return undefined;
  const page = url.origin + url.pathname;
  // Only the page itself: a query of the caller's choosing would reach the page next to the outcome
  // (`?reason=Your+account+is+locked`), as if the service had said it.
  return allowList.includes(page) ? page : undefined;
}

/** The return URL with the outcome parameters set (replacing any of the same name). */
export function withOutcome(returnTo: string, outcome: Record<string, string>): string {
  const url = new URL(returnTo);
  for (const [name, value] of Object.entries(outcome)) url.searchParams.set(name, value);
  return url.toString();
}
