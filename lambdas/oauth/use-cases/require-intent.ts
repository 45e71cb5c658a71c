import type { OAuthDependencies } from '../dependencies.ts';
import {
  type IntentAction,
  type IntentPayload,
  IntentRejected,
  verifyIntent,
} from '../rules/connect-intent.ts';
import { isWellFormedFeedToken } from '../rules/feed-token.ts';
import { refusal } from '../rules/refusals.ts';

export interface IntentRequest {
  action: IntentAction;
  intent: string | undefined;
  feedToken: string | undefined;
  /** The return_to as sent (undefined or "" when none). */
  returnTo?: string | undefined;
}

export type IntentDependencies = Pick<OAuthDependencies, 'intents' | 'now' | 'logger'>;

/**
 * Refuses the request unless it carries a valid intent of the host for exactly this action, feed token and
 * return_to (connect-intent.ts). `consume` records the nonce (conditional put), so an intent acts once; the
 * confirmation page checks without consuming, the form it posts consumes. With CONNECT_INTENTS=token_only there
 * is nothing to check (docs/operating.md, "Connect intents": what that leaves open). Answers the verified payload (undefined in token_only).
 */
export async function requireIntent(
  deps: IntentDependencies,
  request: IntentRequest,
  { consume }: { consume: boolean },
): Promise<IntentPayload | undefined> {
  const { intents } = deps;
  if (!intents) return undefined;
  // The feed token is refused for itself first, exactly as without intents.
  if (request.feedToken === undefined || request.feedToken === '') throw refusal('missing_token');
  if (!isWellFormedFeedToken(request.feedToken)) throw refusal('invalid_token');
  if (request.intent === undefined || request.intent === '') throw refusal('intent_required');
  let payload: IntentPayload;
  try {
    payload = await verifyIntent(
      intents.hostKeys,
      request.intent,
      { action: request.action, feedToken: request.feedToken, returnTo: request.returnTo ?? '' },
      deps.now(),
    );
  } catch (error) {
    if (!(error instanceof IntentRejected)) throw error;
    deps.logger.info('intent refused', { reason: error.problem, action: request.action });
    throw refusal(error.problem);
  }
  if (!consume) return payload;
  // Prefixed: the table also holds the nonces of signed host requests, and the two must never collide.
  if (!(await intents.nonces.claim(`intent:${payload.nonce}`, payload.exp + 60))) {
    deps.logger.info('intent refused', { reason: 'intent_used', action: request.action });
    throw refusal('intent_used');
  }
  return payload;
}

/**
 * Who may disconnect: the host, for its signed-in subscriber. `deleteCalendar` needs a `delete_calendar` intent
 * and a plain disconnect a `disconnect` one (each exactly: the one cannot stand in for the other). Used up at
 * once, before anything else is read or changed.
 */
export async function requireDisconnectIntent(
  deps: IntentDependencies,
  input: { feedToken: string | undefined; deleteCalendar: boolean; intent?: string | undefined },
): Promise<void> {
  const action = input.deleteCalendar ? 'delete_calendar' : 'disconnect';
  await requireIntent(deps, { action, intent: input.intent, feedToken: input.feedToken }, { consume: true });
}
