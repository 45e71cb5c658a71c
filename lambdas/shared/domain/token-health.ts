/**
 * How old the last access token of a subscriber may be before a write job checks the grant again. Checks of an
 * unchanged feed ask Google for nothing, so without this a grant revoked in Google's account settings would go
 * unnoticed for as long as the feed stays put; with it, it is found (the connection becomes needs_reauth and the
 * host is told) within a day.
 */
export const TOKEN_CHECK_INTERVAL_MS = 24 * 3_600_000;

/** Whether the subscriber's grant is due a check: never checked, or last checked a day ago or more. */
export function tokenCheckDue(tokenCheckedAt: string | undefined, now: Date): boolean {
  if (tokenCheckedAt === undefined) return true;
  const checkedAt = Date.parse(tokenCheckedAt);
  return !(checkedAt <= now.getTime() && now.getTime() - checkedAt < TOKEN_CHECK_INTERVAL_MS);
}
