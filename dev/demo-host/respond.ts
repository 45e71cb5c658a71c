import type { ServerResponse } from 'node:http';

/**
 * Headers of every page and answer of the demo host: nothing cached, sniffed or framed. The referrer policy
 * keeps paths to this site (other sites get the origin alone) and, unlike `no-referrer`, lets browsers send the
 * Origin header with the connect form, which the service requires.
 */
const COMMON = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Frame-Options': 'DENY',
};

export function send(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string>,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { ...COMMON, ...headers, 'Content-Length': String(bytes.length) });
  response.end(response.req.method === 'HEAD' ? undefined : bytes);
}

export const sendJson = (response: ServerResponse, status: number, body: unknown) =>
  send(response, status, JSON.stringify(body), { 'Content-Type': 'application/json; charset=utf-8' });

export const sendHtml = (response: ServerResponse, status: number, html: string, csp: string) =>
  send(response, status, html, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': csp,
  });

/** After a form: 303 to a page (Post/Redirect/Get, so reloading does not post again). */
export const seeOther = (response: ServerResponse, location: string) =>
  send(response, 303, '', { Location: location });
