/**
 * The host kit: what an ICS service (the host) needs to talk to the Google Calendar sync service, in one file
 * with no dependency but Node's own `node:crypto`. Copy it into a Node host, or import it. The protocols, byte
 * by byte, and the test vectors this file is checked against: docs/host-protocol.md and
 * docs/host-protocol/vectors.json.
 *
 *   mintIntent      a connect intent for the host's signed-in subscriber (connect, disconnect, delete_calendar)
 *   signRequest     the four X-Signature-* headers of a signed call (status, sync now, disconnect, notify)
 *   signNotify      a change notification: the body naming changed feeds, and its signed headers
 *   verifyHostEvent checks an event the service POSTs to the host (signature, clock, single-use nonce)
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The service's change-notification route (signed over this path, whatever URL reaches it). */
export const NOTIFY_PATH = '/api/google-sync/notify';
/** How far ahead an intent may expire (the service allows 60 s of clock difference on top). */
export const INTENT_LIFETIME_SECONDS = 600;
/** A signed request's timestamp must be within this many seconds of the receiver's clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;
/** The largest event body verifyHostEvent reads (the service's events are a few hundred bytes). */
export const MAX_HOST_EVENT_BYTES = 65_536;

export type IntentAction = 'connect' | 'disconnect' | 'delete_calendar';

/** A key shared with the service: its id (1-64 of A-Z a-z 0-9 . _ -) and its bytes (32 or more). */
export interface HostKey {
  id: string;
  /** The raw bytes, or hex as written in HOST_KEYS. */
  key: Buffer | string;
}

const keyBytes = (key: Buffer | string): Buffer =>
  typeof key === 'string' ? Buffer.from(key, /^(?:[0-9a-fA-F]{2})+$/.test(key) ? 'hex' : 'base64') : key;

/** Lower-case hex SHA-256 of the UTF-8 text (how feeds are named: never the token itself). */
export const sha256Hex = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** Unpadded base64url of HMAC-SHA256(key, the UTF-8 string). */
export const hmacB64url = (key: Buffer | string, signedString: string): string =>
  createHmac('sha256', keyBytes(key)).update(signedString, 'utf8').digest('base64url');

/** A fresh nonce: 24 random bytes, base64url (32 characters of A-Z a-z 0-9 _ -). */
export const newNonce = (): string => randomBytes(24).toString('base64url');

export interface IntentRequest {
  action: IntentAction;
  feedToken: string;
  /** Exactly the return_to the form or request will send ("" when none; always "" to disconnect). */
  returnTo?: string;
  /** Optional, connect only: the host's own words for the calendar, shown on the confirmation page. */
  label?: string;
  /** Default: now. */
  now?: Date;
  /** Default: a fresh random one. Never reuse one. */
  nonce?: string;
  /** Default 600 (the most the service accepts). */
  lifetimeSeconds?: number;
}

export interface MintedIntent {
  /** What the form's `intent` field (or the disconnect body's `intent`) carries. */
  intent: string;
  /** The exact string the MAC is computed over: "v1." kid "." payload. */
  signedString: string;
  /** The payload's JSON text, before base64url. */
  payloadJson: string;
}

/**
 * A connect intent: "v1." kid "." base64url(JSON) "." base64url(HMAC-SHA256(key, "v1." kid "." payload)). The
 * JSON's members are written in this order (any order is accepted: the MAC covers the bytes as sent).
 */
export function mintIntentDetailed(hostKey: HostKey, request: IntentRequest): MintedIntent {
  const now = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const payloadJson = JSON.stringify({
    action: request.action,
    feed: sha256Hex(request.feedToken),
    exp: now + (request.lifetimeSeconds ?? INTENT_LIFETIME_SECONDS),
    nonce: request.nonce ?? newNonce(),
    return_to: request.returnTo ?? '',
    ...(request.label === undefined ? {} : { label: request.label }),
  });
  const signedString = `v1.${hostKey.id}.${Buffer.from(payloadJson, 'utf8').toString('base64url')}`;
  return { intent: `${signedString}.${hmacB64url(hostKey.key, signedString)}`, signedString, payloadJson };
}

/** The intent alone (see mintIntentDetailed). */
export const mintIntent = (hostKey: HostKey, request: IntentRequest): string =>
  mintIntentDetailed(hostKey, request).intent;

export interface RequestToSign {
  method: string;
  /** The route's own path, e.g. /api/google-sync/notify (no query, no stage prefix). */
  path: string;
  /** The exact body bytes sent ("" for none). */
  body: string | Buffer;
  /** Unix seconds as decimal text; default now. */
  timestamp?: string;
  /** Default: a fresh random one. */
  nonce?: string;
}

export interface SignedHeaders {
  headers: {
    'X-Signature-Key-Id': string;
    'X-Signature-Timestamp': string;
    'X-Signature-Nonce': string;
    'X-Signature': string;
  };
  /** timestamp "\n" nonce "\n" METHOD "\n" path "\n" hex SHA-256 of the body. */
  signedString: string;
}

/** The canonical request both sides sign. */
export const canonicalRequest = (
  timestamp: string,
  nonce: string,
  method: string,
  path: string,
  body: string | Buffer,
) => `${timestamp}\n${nonce}\n${method.toUpperCase()}\n${path}\n${sha256Hex(body)}`;

/** The X-Signature-* headers of a signed call to the service (or, by the service, of an event to the host). */
export function signRequest(hostKey: HostKey, request: RequestToSign): SignedHeaders {
  const timestamp = request.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = request.nonce ?? newNonce();
  const signedString = canonicalRequest(timestamp, nonce, request.method, request.path, request.body);
  return {
    headers: {
      'X-Signature-Key-Id': hostKey.id,
      'X-Signature-Timestamp': timestamp,
      'X-Signature-Nonce': nonce,
      'X-Signature': hmacB64url(hostKey.key, signedString),
    },
    signedString,
  };
}

/**
 * A change notification naming the feeds that changed (by the SHA-256 of their tokens): POST it to the service's
 * NOTIFY_PATH with Content-Type application/json, the body exactly as returned, and the headers.
 */
export function signNotify(
  hostKey: HostKey,
  feeds: { feedTokens: string[] } | { feedSha256s: string[] },
  options: { timestamp?: string; nonce?: string } = {},
): SignedHeaders & { body: string; path: string } {
  const hashes =
    'feedTokens' in feeds ? feeds.feedTokens.map((token) => sha256Hex(token)) : feeds.feedSha256s;
  const body = JSON.stringify({ feeds: hashes });
  return {
    ...signRequest(hostKey, { method: 'POST', path: NOTIFY_PATH, body, ...options }),
    body,
    path: NOTIFY_PATH,
  };
}

/** What the service tells the host; never a token. */
export interface HostEvent {
  event: 'connected' | 'replaced' | 'disconnected' | 'needs_reauth' | 'feed_gone' | 'calendar_missing';
  /** Lower-case hex SHA-256 of the feed token. */
  feed: string;
  /** ISO 8601. */
  at: string;
  googleAccountChanged?: boolean;
}

/** The refusals of verifyHostEvent: the same codes the service uses for the host's own signed requests. */
export type HostEventRefusal =
  | 'signature_missing'
  | 'signature_malformed'
  | 'unknown_key'
  | 'timestamp_out_of_range'
  | 'bad_signature'
  | 'replayed_nonce'
  | 'too_large'
  | 'invalid_event';

/** The HTTP status to answer for each refusal (the service retries on 408, 429 and 5xx only). */
export const HOST_EVENT_REFUSAL_STATUS: Record<HostEventRefusal, number> = {
  signature_missing: 401,
  signature_malformed: 401,
  unknown_key: 401,
  timestamp_out_of_range: 401,
  bad_signature: 401,
  replayed_nonce: 409,
  too_large: 413,
  invalid_event: 400,
};

export interface HostEventRequest {
  /** Your endpoint's path as the service signs it: the path of HOST_EVENTS_URL. */
  path: string;
  /** A header by name (any case). */
  header: (name: string) => string | undefined;
  /** The raw body bytes, before any JSON parsing. */
  body: Buffer | string;
}

export interface VerifyOptions {
  /** The keys shared with the service, by key id (raw bytes or hex). */
  keys: Record<string, Buffer | string>;
  /**
   * Records the nonce and answers true the first time, false when seen before. Keep nonces at least 11 minutes
   * (twice the clock window plus a minute); any shared store with an atomic "insert if absent" will do.
   */
  claimNonce: (nonce: string) => boolean | Promise<boolean>;
  /** Default: now. */
  now?: Date;
}

export type VerifyResult =
  | { ok: true; event: HostEvent; keyId: string }
  | { ok: false; refusal: HostEventRefusal; status: number };

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;
const EVENTS = new Set([
  'connected',
  'replaced',
  'disconnected',
  'needs_reauth',
  'feed_gone',
  'calendar_missing',
]);

const refuse = (refusal: HostEventRefusal): VerifyResult => ({
  ok: false,
  refusal,
  status: HOST_EVENT_REFUSAL_STATUS[refusal],
});

/**
 * Checks an event the service POSTed: headers well formed, a known key, the timestamp within ±5 minutes, the
 * MAC equal in constant time (as canonical text: one encoding only), then the nonce claimed once, then the body.
 * Answer 204 when ok; the refusal's status otherwise.
 */
export async function verifyHostEvent(
  request: HostEventRequest,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
  if (body.length > MAX_HOST_EVENT_BYTES) return refuse('too_large');
  const keyId = request.header('x-signature-key-id')?.trim();
  const timestamp = request.header('x-signature-timestamp')?.trim();
  const nonce = request.header('x-signature-nonce')?.trim();
  const signature = request.header('x-signature')?.trim();
  if (!keyId || !timestamp || !nonce || !signature) return refuse('signature_missing');
  if (!KEY_ID.test(keyId) || !TIMESTAMP.test(timestamp) || !NONCE.test(nonce) || !MAC.test(signature)) {
    return refuse('signature_malformed');
  }
  const key = Object.hasOwn(options.keys, keyId) ? options.keys[keyId] : undefined;
  if (key === undefined) return refuse('unknown_key');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) return refuse('timestamp_out_of_range');
  const expected = Buffer.from(
    hmacB64url(key, canonicalRequest(timestamp, nonce, 'POST', request.path, body)),
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('bad_signature');
  if (!(await options.claimNonce(nonce))) return refuse('replayed_nonce');
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse('invalid_event');
  }
  const candidate = event as Partial<HostEvent> | null;
  if (
    !candidate ||
    typeof candidate.event !== 'string' ||
    !EVENTS.has(candidate.event) ||
    typeof candidate.feed !== 'string' ||
    !/^[0-9a-f]{64}$/.test(candidate.feed) ||
    typeof candidate.at !== 'string'
  ) {
    return refuse('invalid_event');
  }
  return { ok: true, event: candidate as HostEvent, keyId };
}

/** A nonce memory for one process (a host with several servers shares one instead: see VerifyOptions). */
export function memoryNonceClaims(keepSeconds = 660): (nonce: string) => boolean {
  const seen = new Map<string, number>();
  return (nonce) => {
    const now = Date.now();
    for (const [known, at] of seen) if (now - at > keepSeconds * 1000) seen.delete(known);
    if (seen.has(nonce)) return false;
    seen.set(nonce, now);
    return true;
  };
}
