import { HttpRefusal } from '../http/refusal.ts';

/**
 * The value the stack gives a secret an operator must set (docs/operating.md, "Setting the secrets"): valid JSON, so a
 * reader tells "not set yet" apart from a value set wrongly.
 */
export const SECRET_PLACEHOLDER = { notSetYet: true } as const;

/** Whether a secret's parsed value is still the stack's placeholder. */
export function isSecretPlaceholder(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>).notSetYet === true
  );
}

/**
 * A secret still holds the stack's placeholder: every route that needs it answers 503 `secret_not_set` (the
 * caller can do nothing but wait for the operator), and the function logs which secret it is.
 */
export class SecretNotSetError extends HttpRefusal {
  constructor(
    /** Which secret, as the operator knows it (its ARN or name, never its value). */
    readonly secretId: string,
    readonly what: string,
  ) {
    super(
      503,
      'secret_not_set',
      'The service is not set up yet: an operator still has to set one of its secrets. Please try again later.',
      { 'Retry-After': '300' },
    );
  }
}
