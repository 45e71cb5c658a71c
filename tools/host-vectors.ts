/**
 * `npm run host-vectors`: writes docs/host-protocol/vectors.json, the host protocols' test vectors, from fixed
 * keys, times and nonces (the file is the same on every run). `--check` only compares and fails on a
 * difference. The service's tests run every vector through its own verification code
 * (test/integration/host-kit/vectors.test.ts), so a vector that no longer holds fails there.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type HostKey,
  hmacB64url,
  type IntentAction,
  mintIntentDetailed,
  NOTIFY_PATH,
  sha256Hex,
  signRequest,
} from '../host-kit/index.ts';

/** Fixed, public test keys: derived from their names so anyone can see they are nobody's real key. */
const keyHex = (name: string) =>
  createHash('sha256').update(`host-protocol test vector key: ${name}`).digest('hex');
const KEY_A: HostKey & { key: string } = { id: 'host-2026-01', key: keyHex('host-2026-01') };
const KEY_B: HostKey & { key: string } = { id: 'host.2026-07', key: keyHex('host.2026-07') };
/** A key the service does not know (the host signs with it; the service refuses unknown_key). */
const KEY_UNKNOWN: HostKey & { key: string } = { id: 'host-retired', key: keyHex('host-retired') };

/** 2026-01-01T00:00:00Z: every vector is checked "now" at this time unless it says otherwise. */
const NOW = 1_767_225_600;
const nonceOf = (label: string) => createHash('sha256').update(label).digest('base64url').slice(0, 32);
/** The path of the host's event endpoint in the vectors (HOST_EVENTS_URL's path). */
export const HOST_EVENTS_PATH = '/hooks/ics-google-sync';

export interface Vector {
  name: string;
  kind: 'intent' | 'notify' | 'host_event';
  description: string;
  key_hex: string;
  kid: string;
  inputs: Record<string, unknown>;
  signed_string: string;
  signature_b64url: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string;
  valid: boolean;
  refusal?: string;
}

function intentVector(
  name: string,
  description: string,
  key: HostKey & { key: string },
  minted: {
    action: IntentAction;
    feedToken: string;
    returnTo?: string;
    label?: string;
    mintedAt?: number;
    lifetime?: number;
  },
  presented: {
    action?: IntentAction;
    feedToken?: string;
    returnTo?: string;
    now?: number;
    tamper?: 'payload' | 'oversize';
  } = {},
  refusal?: string,
): Vector {
  const mintedAt = minted.mintedAt ?? NOW - 60;
  const result = mintIntentDetailed(key, {
    action: minted.action,
    feedToken: minted.feedToken,
    returnTo: minted.returnTo ?? '',
    ...(minted.label === undefined ? {} : { label: minted.label }),
    now: new Date(mintedAt * 1000),
    nonce: nonceOf(`intent ${name}`),
    lifetimeSeconds: minted.lifetime ?? 600,
  });
  let token = result.intent;
  const mac = token.slice(result.signedString.length + 1);
  if (presented.tamper === 'payload') {
    // The same MAC over a payload whose feed was changed: what an attacker who edits the token sends.
    const edited = result.payloadJson.replace(
      sha256Hex(minted.feedToken),
      sha256Hex(presented.feedToken ?? 'x'),
    );
    token = `v1.${key.id}.${Buffer.from(edited, 'utf8').toString('base64url')}.${mac}`;
  }
  return {
    name,
    kind: 'intent',
    description,
    key_hex: key.key,
    kid: key.id,
    inputs: {
      action: minted.action,
      feed_token: minted.feedToken,
      feed_sha256: sha256Hex(minted.feedToken),
      return_to: minted.returnTo ?? '',
      ...(minted.label === undefined ? {} : { label: minted.label }),
      exp: mintedAt + (minted.lifetime ?? 600),
      nonce: nonceOf(`intent ${name}`),
      payload_json: result.payloadJson,
      // What the request carrying the intent says, and when the service checks it.
      request: {
        action: presented.action ?? minted.action,
        feed_token: presented.feedToken ?? minted.feedToken,
        return_to: presented.returnTo ?? minted.returnTo ?? '',
      },
      now: presented.now ?? NOW,
    },
    signed_string: result.signedString,
    signature_b64url: hmacB64url(key.key, result.signedString),
    token,
    valid: refusal === undefined,
    ...(refusal ? { refusal } : {}),
  };
}

function signedVector(
  kind: 'notify' | 'host_event',
  name: string,
  description: string,
  key: HostKey & { key: string },
  request: { method?: string; path: string; body: string; timestamp?: number },
  check: { now?: number; presentedBody?: string; presentedPath?: string; noncesSeenBefore?: boolean } = {},
  refusal?: string,
): Vector {
  const timestamp = String(request.timestamp ?? NOW - 2);
  const nonce = nonceOf(`${kind} ${name}`);
  const method = request.method ?? 'POST';
  const signed = signRequest(key, { method, path: request.path, body: request.body, timestamp, nonce });
  return {
    name,
    kind,
    description,
    key_hex: key.key,
    kid: key.id,
    inputs: {
      method,
      path: request.path,
      timestamp,
      nonce,
      body_sha256: sha256Hex(request.body),
      now: check.now ?? NOW,
      ...(check.presentedPath ? { presented_path: check.presentedPath } : {}),
      ...(check.presentedBody !== undefined ? { presented_body: check.presentedBody } : {}),
      ...(check.noncesSeenBefore ? { nonces_seen_before: [nonce] } : {}),
    },
    signed_string: signed.signedString,
    signature_b64url: signed.headers['X-Signature'],
    headers: signed.headers,
    body: request.body,
    valid: refusal === undefined,
    ...(refusal ? { refusal } : {}),
  };
}

const FEED = 'k7Qm2xVt9LpA4sWc';
const OTHER_FEED = 'Zr8uN3bE6yHq1fJd';
const RETURN_TO = 'https://cal.example.com/account';
const notifyBody = (...tokens: string[]) =>
  JSON.stringify({ feeds: tokens.map((token) => sha256Hex(token)) });
const event = (kind: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event: kind, feed: sha256Hex(FEED), at: '2025-12-31T23:59:58.000Z', ...extra });

export function buildVectors(): Vector[] {
  const notifyPath = { path: NOTIFY_PATH };
  return [
    intentVector('intent_connect', 'A connect intent without return_to.', KEY_A, {
      action: 'connect',
      feedToken: FEED,
    }),
    intentVector(
      'intent_connect_return_to_label',
      'A connect intent bound to a return_to, with a label.',
      KEY_A,
      {
        action: 'connect',
        feedToken: FEED,
        returnTo: RETURN_TO,
        label: 'Ada Lovelace, work calendar',
      },
    ),
    intentVector('intent_disconnect', 'A disconnect intent (return_to is always "").', KEY_A, {
      action: 'disconnect',
      feedToken: FEED,
    }),
    intentVector('intent_delete_calendar', 'A disconnect that also deletes the calendar.', KEY_A, {
      action: 'delete_calendar',
      feedToken: FEED,
    }),
    intentVector(
      'intent_rotated_key_with_dots',
      'Signed with the second key of the ring; its id has a dot.',
      KEY_B,
      {
        action: 'connect',
        feedToken: OTHER_FEED,
        returnTo: RETURN_TO,
      },
    ),
    intentVector(
      'intent_expired',
      'Checked one second after exp.',
      KEY_A,
      { action: 'connect', feedToken: FEED, mintedAt: NOW - 601 },
      { now: NOW },
      'intent_expired',
    ),
    intentVector(
      'intent_wrong_action',
      'A connect intent presented with a disconnect.',
      KEY_A,
      { action: 'connect', feedToken: FEED },
      { action: 'disconnect' },
      'intent_wrong_action',
    ),
    intentVector(
      'intent_wrong_feed',
      "Minted for one feed, presented with another feed's token.",
      KEY_A,
      { action: 'connect', feedToken: FEED },
      { feedToken: OTHER_FEED },
      'intent_wrong_feed',
    ),
    intentVector(
      'intent_wrong_return_to',
      'Minted without return_to, presented with one.',
      KEY_A,
      { action: 'connect', feedToken: FEED },
      { returnTo: RETURN_TO },
      'intent_wrong_return_to',
    ),
    intentVector(
      'intent_tampered',
      'The payload was edited after signing (feed replaced); the MAC is the original one.',
      KEY_A,
      { action: 'connect', feedToken: FEED },
      { feedToken: OTHER_FEED, tamper: 'payload' },
      'intent_bad_signature',
    ),
    intentVector(
      'intent_unknown_kid',
      'Signed with a key id the service does not have (a retired key).',
      KEY_UNKNOWN,
      { action: 'connect', feedToken: FEED },
      {},
      'intent_unknown_key',
    ),
    intentVector(
      'intent_lifetime_too_long',
      'exp is more than 10 minutes (plus 60 s of clock difference) ahead.',
      KEY_A,
      { action: 'connect', feedToken: FEED, mintedAt: NOW, lifetime: 3600 },
      {},
      'intent_too_long',
    ),
    intentVector(
      'intent_oversized',
      'Longer than 4096 characters (a 3,000-character label): refused before any MAC is computed.',
      KEY_A,
      { action: 'connect', feedToken: FEED, label: 'x'.repeat(3000) },
      {},
      'intent_malformed',
    ),
    signedVector('notify', 'notify_one_feed', 'A change notification naming one feed.', KEY_A, {
      ...notifyPath,
      body: notifyBody(FEED),
    }),
    signedVector('notify', 'notify_three_feeds', 'Three feeds, signed with the second key.', KEY_B, {
      ...notifyPath,
      body: notifyBody(FEED, OTHER_FEED, 'third-feed-token-01'),
    }),
    signedVector(
      'notify',
      'signed_status_call',
      'A signed GET of /api/google-oauth/status: the digest of an empty body (SHA-256 of zero bytes).',
      KEY_A,
      { method: 'GET', path: '/api/google-oauth/status', body: '' },
    ),
    signedVector(
      'notify',
      'notify_replayed_nonce',
      'A valid notification whose nonce the service has already seen.',
      KEY_A,
      { ...notifyPath, body: notifyBody(FEED) },
      { noncesSeenBefore: true },
      'replayed_nonce',
    ),
    signedVector(
      'notify',
      'notify_clock_skew',
      'Signed 301 seconds before the service checks it (the window is ±300 s).',
      KEY_A,
      { ...notifyPath, body: notifyBody(FEED), timestamp: NOW - 301 },
      {},
      'timestamp_out_of_range',
    ),
    signedVector(
      'notify',
      'notify_unknown_kid',
      'Signed with a key id the service does not have.',
      KEY_UNKNOWN,
      { ...notifyPath, body: notifyBody(FEED) },
      {},
      'unknown_key',
    ),
    signedVector(
      'notify',
      'notify_tampered_body',
      'The body sent differs from the body signed (another feed).',
      KEY_A,
      { ...notifyPath, body: notifyBody(FEED) },
      { presentedBody: notifyBody(OTHER_FEED) },
      'bad_signature',
    ),
    signedVector(
      'notify',
      'notify_wrong_path',
      'Signed over the URL the host called (/prod/api/google-sync/notify) instead of the route path.',
      KEY_A,
      { path: '/prod/api/google-sync/notify', body: notifyBody(FEED) },
      { presentedPath: NOTIFY_PATH },
      'bad_signature',
    ),
    signedVector(
      'host_event',
      'host_event_connected',
      'The service tells the host of a first connect.',
      KEY_A,
      {
        path: HOST_EVENTS_PATH,
        body: event('connected'),
      },
    ),
    signedVector(
      'host_event',
      'host_event_replaced_other_account',
      'A reconnect with another Google account.',
      KEY_A,
      { path: HOST_EVENTS_PATH, body: event('replaced', { googleAccountChanged: true }) },
    ),
    signedVector('host_event', 'host_event_needs_reauth', 'Google refused the refresh token.', KEY_B, {
      path: HOST_EVENTS_PATH,
      body: event('needs_reauth'),
    }),
    signedVector(
      'host_event',
      'host_event_tampered',
      'The event received is not the event signed (disconnected instead of connected).',
      KEY_A,
      { path: HOST_EVENTS_PATH, body: event('connected') },
      { presentedBody: event('disconnected') },
      'bad_signature',
    ),
    signedVector(
      'host_event',
      'host_event_clock_skew',
      "Checked 6 minutes after it was signed (the host's clock, or a delayed replay).",
      KEY_A,
      { path: HOST_EVENTS_PATH, body: event('feed_gone'), timestamp: NOW - 360 },
      {},
      'timestamp_out_of_range',
    ),
    signedVector(
      'host_event',
      'host_event_replayed',
      'The same signed event delivered a second time.',
      KEY_A,
      { path: HOST_EVENTS_PATH, body: event('disconnected') },
      { noncesSeenBefore: true },
      'replayed_nonce',
    ),
  ];
}

export function vectorsDocument() {
  return {
    about:
      'Test vectors of the host protocols (docs/host-protocol.md). Every key here is a public test key. ' +
      'service_keys: the key ring the service (or, for host_event vectors, the host) checks with. ' +
      'For each vector, HMAC-SHA256(key_hex as bytes, signed_string as UTF-8), unpadded base64url, is signature_b64url. ' +
      "inputs.now: the checker's clock (Unix seconds). Invalid vectors name the refusal code the checker answers.",
    service_keys: { [KEY_A.id]: KEY_A.key, [KEY_B.id]: KEY_B.key },
    host_events_path: HOST_EVENTS_PATH,
    vectors: buildVectors(),
  };
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VECTORS_FILE = path.join(repoRoot, 'docs', 'host-protocol', 'vectors.json');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = `${JSON.stringify(vectorsDocument(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = readFileSync(VECTORS_FILE, 'utf8');
    if (current !== text) {
      process.stderr.write('docs/host-protocol/vectors.json is not what npm run host-vectors writes\n');
      process.exit(1);
    }
    process.stdout.write('vectors up to date\n');
  } else {
    writeFileSync(VECTORS_FILE, text);
    process.stdout.write(`wrote ${buildVectors().length} vectors\n`);
  }
}
