/** The feed URL of a token: `{token}` in the template replaced by the URL-encoded token. */
export function feedUrlFor(urlTemplate: string, token: string): string {
  return urlTemplate.replace('{token}', encodeURIComponent(token));
}
