/** Calendar scopes and which calls each one allows, as Google's reference pages list them. */

const AUTH = 'https://www.googleapis.com/auth/';
export const SCOPES = {
  calendar: `${AUTH}calendar`,
  calendarReadonly: `${AUTH}calendar.readonly`,
  events: `${AUTH}calendar.events`,
  eventsReadonly: `${AUTH}calendar.events.readonly`,
  appCreated: `${AUTH}calendar.app.created`,
} as const;

const SIGN_IN_SCOPES = new Set([
  'openid',
  'email',
  'profile',
  `${AUTH}userinfo.email`,
  `${AUTH}userinfo.profile`,
]);

export const isKnownScope = (scope: string): boolean => SIGN_IN_SCOPES.has(scope) || scope.startsWith(AUTH);

export const parseScopes = (text: string | null | undefined): string[] => [
  ...new Set((text ?? '').split(/\s+/).filter(Boolean)),
];

export type Access = 'read' | 'write';
export type ApiFamily = 'calendars' | 'events';

/**
 * Whether a token's scopes allow a call on a calendar of the token's user. `createdByClient` says whether the
 * calendar was created by the token's OAuth client (what `calendar.app.created` is limited to). `calendars.insert`
 * is asked with `createdByClient: true` (the calendar it makes will be the app's).
 */
export function scopesAllow(
  scopes: readonly string[],
  family: ApiFamily,
  access: Access,
  createdByClient: boolean,
): boolean {
  const has = (scope: string) => scopes.includes(scope);
  if (has(SCOPES.calendar)) return true;
  if (has(SCOPES.appCreated) && createdByClient) return true;
  if (access === 'read' && has(SCOPES.calendarReadonly)) return true;
  if (family === 'events') {
    if (has(SCOPES.events)) return true;
    if (access === 'read' && has(SCOPES.eventsReadonly)) return true;
  }
  return false;
}
