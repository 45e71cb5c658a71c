import { Refusal } from '../../shared/errors.ts';
import type { IntentProblem } from './connect-intent.ts';

/**
 * Every refusal the OAuth use cases give (besides the rate limiter's `rate_limited`); the routes answer each
 * with its status and the sentence the subscriber sees (handlers/refusal-answers.ts).
 */
export type RefusalCode =
  | 'missing_token'
  | 'invalid_token'
  | 'feed_unavailable'
  | 'state_missing'
  | 'state_invalid'
  | 'state_expired'
  | 'not_connected'
  | 'needs_reauth'
  | 'sync_unavailable'
  | 'sync_running'
  | 'feed_gone'
  | 'calendar_missing'
  | 'intent_required'
  | IntentProblem
  | 'intent_used'
  | 'browser_mismatch';

export const refusal = (code: RefusalCode): Refusal<RefusalCode> => new Refusal(code);
