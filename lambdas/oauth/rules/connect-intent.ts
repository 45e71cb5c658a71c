import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { macMatches } from '../../shared/domain/canonical-mac.ts';
import { HostKeysError, KEY_ID_PATTERN } from '../../shared/domain/host-keys.ts';
import { parseStrictJson } from '../../shared/domain/strict-json.ts';
import type { HostKeyRing } from '../../shared/ports/host-keys.ts';

/**
 * Connect intents: the host's word that its signed-in subscriber asked for a linking or destructive action
 * (docs/operating.md, "Connect intents"). The feed token alone proves nothing about who holds it (feed URLs leak), so
 * starting a connect and disconnecting need one.
 *
 *   intent  = "v1." kid "." payload "." mac
 *   payload = base64url (unpadded) of the UTF-8 JSON object
 *             {"action": "connect" | "disconnect" | "delete_calendar",
 *              "feed": lower-case hex SHA-256 of the feed token,
 *              "exp": Unix seconds (integer), at most 10 minutes ahead,
 *              "nonce": 16-128 of A-Z a-z 0-9 _ - (random, 128 bits or more),
 *              "return_to": the return_to sent with the request exactly ("" when none; always "" to disconnect),
 *              optionally "label": the host's name for the calendar, shown on the confirmation page}
 *   mac     = base64url (unpadded, 43 characters) of HMAC-SHA256(key of kid, "v1." kid "." payload)
 *
 * The MAC covers the payload as sent (its bytes, not a re-serialisation), so no canonical JSON is needed; the
 * payload must not name a member twice, and the MAC must be the canonical encoding (unused bits zero). A key
 * id may contain dots: the intent is split at its first dot and its last two.
 */
const INTENT_VERSION = 'v1';
const INTENT_ACTIONS = ['connect', 'disconnect', 'delete_calendar'] as const;
export type IntentAction = (typeof INTENT_ACTIONS)[number];
/** How far ahead an intent may expire, and the clock difference tolerated on top. */
const MAX_INTENT_LIFETIME_SECONDS = 600;
const INTENT_CLOCK_SKEW_SECONDS = 60;
export const MAX_INTENT_LENGTH = 4096;
const B64URL = /^[A-Za-z0-9_-]+$/;
const MAC_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const payloadSchema = z.strictObject({
  action: z.enum(INTENT_ACTIONS),
  feed: z.string().regex(/^[0-9a-f]{64}$/),
  exp: z.number().int().positive(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  return_to: z.string().max(2048),
  /**
   * Optional, connect only: the host's own words for whose calendar this is (say "Alice Martin, work
   * calendar"). The confirmation page shows it as the host's, above the feed's self-chosen name.
   */
  label: z.string().min(1).max(200).optional(),
});

export type IntentPayload = z.infer<typeof payloadSchema>;

/** What the request asks for; the intent must say exactly the same. */
export interface IntentBinding {
  action: IntentAction;
  feedToken: string;
  /** The return_to as sent ("" when none). */
  returnTo: string;
}

/** Why an intent is refused; each maps to a refusal with its own sentence (refusals.ts). */
export type IntentProblem =
  | 'intent_malformed'
  | 'intent_unknown_key'
  | 'intent_bad_signature'
  | 'intent_wrong_action'
  | 'intent_wrong_feed'
  | 'intent_wrong_return_to'
  | 'intent_expired'
  | 'intent_too_long'
  | 'intent_keys_unavailable';

export class IntentRejected extends Error {
  override readonly name = 'IntentRejected';
  constructor(readonly problem: IntentProblem) {
    super(problem);
  }
}

/** The signed input of an intent: everything before the last dot. */
const intentSigningInput = (keyId: string, payload: string): string =>
  `${INTENT_VERSION}.${keyId}.${payload}`;

/**
 * Checks an intent against the request it came with: well formed, a known key, a MAC equal in constant time,
 * then the binding (action, feed token, return_to) and the expiry. Returns the payload (the caller claims the
 * nonce); throws IntentRejected naming the first problem.
 */
export async function verifyIntent(
  keys: HostKeyRing,
  intent: string,
  binding: IntentBinding,
  now: Date,
): Promise<IntentPayload> {
  const parts = intent.length <= MAX_INTENT_LENGTH ? intent.split('.') : [];
  if (parts.length < 4 || parts[0] !== INTENT_VERSION) throw new IntentRejected('intent_malformed');
  const mac = parts.at(-1) as string;
  const payloadText = parts.at(-2) as string;
  const keyId = parts.slice(1, -2).join('.');
  if (!KEY_ID_PATTERN.test(keyId) || !B64URL.test(payloadText) || !MAC_PATTERN.test(mac)) {
    throw new IntentRejected('intent_malformed');
  }
  let key: Buffer | undefined;
  try {
    key = await keys.keyFor(keyId);
  } catch (error) {
    if (error instanceof HostKeysError) throw new IntentRejected('intent_keys_unavailable');
    throw error;
  }
  if (!key) throw new IntentRejected('intent_unknown_key');
  const expected = createHmac('sha256', key).update(intentSigningInput(keyId, payloadText), 'utf8').digest();
  if (!macMatches(mac, expected)) throw new IntentRejected('intent_bad_signature');
  // Only a payload the host signed is parsed.
  const payload = parsePayload(payloadText);
  if (payload.action !== binding.action) throw new IntentRejected('intent_wrong_action');
  const feed = createHash('sha256').update(binding.feedToken, 'utf8').digest();
  if (!timingSafeEqual(Buffer.from(payload.feed, 'hex'), feed)) throw new IntentRejected('intent_wrong_feed');
  if (payload.return_to !== binding.returnTo) throw new IntentRejected('intent_wrong_return_to');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (payload.exp <= nowSeconds) throw new IntentRejected('intent_expired');
  if (payload.exp > nowSeconds + MAX_INTENT_LIFETIME_SECONDS + INTENT_CLOCK_SKEW_SECONDS) {
    throw new IntentRejected('intent_too_long');
  }
  return payload;
}

function parsePayload(text: string): IntentPayload {
  let json: unknown;
  try {
    // Strict: a member named twice is refused, never "the last one wins".
    json = parseStrictJson(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new IntentRejected('intent_malformed');
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) throw new IntentRejected('intent_malformed');
  return parsed.data;
}
