import { type Refusal, type RefusalDetail, SafeMessageError } from '../../errors.ts';

/**
 * A request refused on purpose, with what the client may see: an HTTP status, a stable machine-readable code
 * and a sentence for people. Never carries input values (tokens, codes) or internals.
 */
export class HttpRefusal extends SafeMessageError {
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

/** How a function answers one refusal code of its use cases. */
export interface RefusalAnswer {
  status: number;
  /** The sentence people see. */
  message: string | ((detail: RefusalDetail) => string);
  headers?: Record<string, string>;
  /** The code the client sees, when the use case's own is finer (two reasons answered as one `too_large`). */
  code?: string;
}

/** A function's answer to every refusal code its use cases give (checked complete by its type). */
export type RefusalAnswers<Code extends string = string> = Readonly<Record<Code, RefusalAnswer>>;

/**
 * The HTTP answer to a use case's refusal; a rate limit's wait becomes `Retry-After`. Undefined for a code the
 * function does not answer (a bug: it renders as a 500).
 */
export function httpRefusalFor(answers: RefusalAnswers, refusal: Refusal): HttpRefusal | undefined {
  const answer = Object.hasOwn(answers, refusal.code) ? answers[refusal.code] : undefined;
  if (!answer) return undefined;
  const message = typeof answer.message === 'function' ? answer.message(refusal.detail) : answer.message;
  const headers = { ...answer.headers };
  const { retryAfterSeconds } = refusal.detail;
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  return new HttpRefusal(answer.status, answer.code ?? refusal.code, message, headers);
}

/** The answer to a rate limit (RateLimiter), the same in every function. */
export const RATE_LIMITED: RefusalAnswer = {
  status: 429,
  message: 'Too many requests. Please wait a moment and try again.',
};

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
