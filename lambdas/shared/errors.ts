import { HostKeysError } from './domain/host-keys.ts';

/**
 * An error whose message is written never to contain a secret or an input value (tokens, codes, URLs holding a
 * token, request bodies), so it may go into a log line. The service's own typed errors extend it; any other
 * error's message might hold such things (a JSON parse error quotes its input, an HTTP library error its URL).
 */
export class SafeMessageError extends Error {}

/** A SafeMessageError whose callers branch on a reason code rather than on the message. */
export class ReasonedError<Reason extends string> extends SafeMessageError {
  constructor(
    readonly reason: Reason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What a refusal may say beyond its code: never an input value. */
export interface RefusalDetail {
  /** When asking again may succeed (a rate limit's window end). */
  retryAfterSeconds?: number;
  /** The input fields that were missing or invalid, as plain names (see `invalidFields`). */
  fields?: readonly string[];
}

/**
 * A request a use case refuses on purpose, named by a stable code (`invalid_token`, `rate_limited`...). Use
 * cases know nothing of HTTP: each function's handlers answer every code with a status and a sentence for
 * people (`RefusalAnswers` in adapters/http/refusal.ts).
 */
export class Refusal<Code extends string = string> extends SafeMessageError {
  override readonly name = 'Refusal';

  constructor(
    readonly code: Code,
    readonly detail: RefusalDetail = {},
  ) {
    super(code);
  }
}

export type SafeErrorDescription = {
  errorName: string;
  errorMessage?: string;
};

/**
 * What of an error may go into a log line: its name, and its message only for a SafeMessageError. Stacks and
 * causes are never logged.
 */
export function describeError(error: unknown): SafeErrorDescription {
  const name = error instanceof Error ? error.name : typeof error;
  const safeName = /^[A-Za-z0-9_.]{1,80}$/.test(name) ? name : 'Error';
  if (hasSafeMessage(error)) return { errorName: safeName, errorMessage: error.message };
  return { errorName: safeName };
}

/**
 * HostKeysError (domain/host-keys.ts) writes safe messages but does not extend SafeMessageError yet; once it
 * does, the first test alone is enough.
 */
const hasSafeMessage = (error: unknown): error is Error =>
  error instanceof SafeMessageError || error instanceof HostKeysError;
