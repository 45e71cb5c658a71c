/**
 * Where the service talks to Google. In AWS these are Google's own hosts; locally and in tests one base URL
 * (the project's Google emulator) serves every path, so the official clients run unchanged against it.
 */
export interface GoogleEndpoints {
  /** Passed as `rootUrl` to the Calendar client, which appends `calendar/v3/...`. */
  calendarRootUrl: string;
  oauth2AuthBaseUrl: string;
  oauth2TokenUrl: string;
  oauth2RevokeUrl: string;
  tokenInfoUrl: string;
}

export const GOOGLE_ENDPOINTS: GoogleEndpoints = {
  calendarRootUrl: 'https://www.googleapis.com/',
  oauth2AuthBaseUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  oauth2TokenUrl: 'https://oauth2.googleapis.com/token',
  oauth2RevokeUrl: 'https://oauth2.googleapis.com/revoke',
  tokenInfoUrl: 'https://oauth2.googleapis.com/tokeninfo',
};

/** The same paths under one base URL, as the Google emulator serves them. */
export function endpointsUnder(baseUrl: string): GoogleEndpoints {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    calendarRootUrl: base,
    oauth2AuthBaseUrl: `${base}o/oauth2/v2/auth`,
    oauth2TokenUrl: `${base}token`,
    oauth2RevokeUrl: `${base}revoke`,
    tokenInfoUrl: `${base}tokeninfo`,
  };
}
