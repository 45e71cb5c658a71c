/**
 * A request refused on purpose, with what the client may see: an HTTP status, a stable machine-readable code
 * and a sentence for people. Never carries input values (tokens, codes) or internals.
 */
export class HttpRefusal extends Error {
  override readonly name = 'HttpRefusal';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly publicMessage: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${statusCode} ${code}`);
  }
}

export const isHttpRefusal = (error: unknown): error is HttpRefusal => error instanceof HttpRefusal;

/** Middy's own HTTP errors (route not found, unsupported media type...): status and an exposable message. */
export function asFrameworkRefusal(error: unknown): HttpRefusal | undefined {
  const candidate = error as { statusCode?: unknown; expose?: unknown } | undefined;
  if (!candidate || typeof candidate.statusCode !== 'number') return undefined;
  const status = candidate.statusCode;
  if (status < 400 || status >= 500) return undefined;
  const known: Record<number, [string, string]> = {
    404: ['not_found', 'There is nothing here.'],
    405: ['method_not_allowed', 'This method is not allowed here.'],
    413: ['too_large', 'The request is too large.'],
    415: ['unsupported_media_type', 'Send the form as application/x-www-form-urlencoded.'],
    422: ['unprocessable', 'The request body could not be read.'],
  };
  const [code, message] = known[status] ?? ['bad_request', 'The request is not valid.'];
  return new HttpRefusal(status, code, message);
}
