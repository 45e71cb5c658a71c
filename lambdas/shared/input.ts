import type * as z from 'zod';
import { Refusal } from './errors.ts';

/** Validates with a schema; a failure is Refusal('invalid_request') naming the offending fields, never their values. */
export function validInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new Refusal('invalid_request', { fields: invalidFields(result.error) });
}

/** The fields a validation failed on, each once, as names safe to repeat (`parameter` for any other). */
export function invalidFields(error: z.ZodError): string[] {
  return [...new Set(error.issues.map((issue) => issue.path.map(String).join('.') || 'input'))].map(safeName);
}

/** Echo only short, plain field names. */
export function safeName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(name) ? name : 'parameter';
}
