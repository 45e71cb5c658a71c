import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * Headers on every answer: nothing is cached (answers hold per-user state), nothing is sniffed or framed, no
 * Referer leaves the page (a start URL may hold a feed token), and browsers keep to HTTPS for two years on this
 * host and its subdomains (HSTS: a first plain-HTTP request could otherwise be redirected or read on the way,
 * feed token included). Browsers ignore the header on plain HTTP, so local runs are unaffected.
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY,
};

const HTML_HEADERS = {
  ...COMMON_HEADERS,
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export interface HtmlPage {
  title: string;
  message: string;
  /** A link for the next step (e.g. back to the settings page). */
  link?: { href: string; text: string };
}

export function htmlResponse(
  statusCode: number,
  page: HtmlPage,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const link = page.link
    ? `<p><a href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.text)}</a></p>`
    : '';
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(page.title)}</title></head>` +
    '<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">' +
    `<h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p>${link}</body></html>`;
  return { statusCode, headers: { ...HTML_HEADERS, ...headers }, body };
}

export interface SetCookie {
  name: string;
  value: string;
  /** Seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
  secure: boolean;
}

/** 302 with an optional cookie. REST API (v1) answers carry several cookies only in multiValueHeaders. */
export function redirectResponse(location: string, cookies: SetCookie[] = []): APIGatewayProxyResult {
  const response: APIGatewayProxyResult = {
    statusCode: 302,
    headers: { ...COMMON_HEADERS, Location: location },
    body: '',
  };
  if (cookies.length > 0) response.multiValueHeaders = { 'Set-Cookie': cookies.map(serializeCookie) };
  return response;
}

/** HttpOnly (no script reads it), SameSite=Lax (sent on the top-level redirect back from Google), Path=/. */
export function serializeCookie({ name, value, maxAgeSeconds, secure }: SetCookie): string {
  return [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );
}
