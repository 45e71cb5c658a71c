/** The two error shapes Google answers with: the Calendar API's, and the OAuth endpoints'. */

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  410: 'NOT_FOUND',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** A Calendar API error: `{"error":{"code","message","errors":[{"domain","reason","message"}],"status"}}`. */
export class CalendarApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): unknown {
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [{ domain: this.domain, reason: this.reason, message: this.message, ...this.extra }],
        status: STATUS_NAMES[this.status] ?? 'UNKNOWN',
      },
    };
  }
}

export const apiErrors = {
  invalid: (message: string) => new CalendarApiError(400, 'invalid', message),
  required: (message: string) => new CalendarApiError(400, 'required', message),
  badRequest: (message = 'Bad Request') => new CalendarApiError(400, 'badRequest', message),
  timeRangeEmpty: () => new CalendarApiError(400, 'timeRangeEmpty', 'The specified time range is empty.'),
  notFound: () => new CalendarApiError(404, 'notFound', 'Not Found'),
  duplicate: () => new CalendarApiError(409, 'duplicate', 'The requested identifier already exists.'),
  deleted: () => new CalendarApiError(410, 'deleted', 'Resource has been deleted'),
  fullSyncRequired: () =>
    new CalendarApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.'),
  conditionNotMet: () => new CalendarApiError(412, 'conditionNotMet', 'Precondition Failed'),
  forbidden: (message = 'Forbidden') => new CalendarApiError(403, 'forbidden', message),
  insufficientPermissions: () =>
    new CalendarApiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.'),
  loginRequired: () =>
    new CalendarApiError(
      401,
      'required',
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      'global',
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
      { location: 'Authorization', locationType: 'header' },
    ),
  invalidCredentials: () =>
    new CalendarApiError(
      401,
      'authError',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      'global',
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      { location: 'Authorization', locationType: 'header' },
    ),
  usageLimitsExceeded: () =>
    new CalendarApiError(403, 'quotaExceeded', 'Calendar usage limits exceeded.', 'usageLimits'),
};

/** An OAuth endpoint error: `{"error":"invalid_grant","error_description":"..."}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }

  body(): unknown {
    return { error: this.error, error_description: this.description };
  }
}
