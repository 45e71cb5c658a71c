import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IntentAction,
  mintIntentDetailed,
  signRequest,
  verifyHostEvent,
} from '../../../host-kit/index.ts';
import { IntentRejected, verifyIntent } from '../../../lambdas/oauth/rules/connect-intent.ts';
import { DynamoNonceStore } from '../../../lambdas/shared/adapters/dynamodb/nonce-store.ts';
import { StaticHostKeyRing } from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import { Refusal } from '../../../lambdas/shared/errors.ts';
import { authenticateHostRequest } from '../../../lambdas/shared/use-cases/authenticate-host-request.ts';
import { VECTORS_FILE, type Vector, vectorsDocument } from '../../../tools/host-vectors.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';

const document = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as {
  service_keys: Record<string, string>;
  vectors: Vector[];
};
const vectors = document.vectors;
const serviceKeys = new StaticHostKeyRing(
  new Map(Object.entries(document.service_keys).map(([kid, hex]) => [kid, Buffer.from(hex, 'hex')])),
);
type IntentInputs = {
  action: IntentAction;
  feed_token: string;
  return_to: string;
  label?: string;
  exp: number;
  nonce: string;
  request: { action: IntentAction; feed_token: string; return_to: string };
  now: number;
};
type SignedInputs = {
  method: string;
  path: string;
  timestamp: string;
  nonce: string;
  now: number;
  presented_path?: string;
  presented_body?: string;
  nonces_seen_before?: string[];
};
const inputsOf = <T>(vector: Vector) => vector.inputs as T;
const headerOf = (vector: Vector) => (name: string) =>
  Object.entries(vector.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

describe('docs/host-protocol/vectors.json', () => {
  it('is what the generator writes, with at least 20 vectors of all three protocols and every refusal', () => {
    // Compared as data: the formatter may lay the file out otherwise than JSON.stringify does.
    expect(JSON.parse(readFileSync(VECTORS_FILE, 'utf8'))).toEqual(vectorsDocument());
    expect(vectors.length).toBeGreaterThanOrEqual(20);
    expect(new Set(vectors.map((v) => v.kind))).toEqual(new Set(['intent', 'notify', 'host_event']));
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
    const refusals = new Set(vectors.map((v) => v.refusal));
    for (const code of [
      'intent_expired',
      'intent_wrong_action',
      'intent_bad_signature',
      'intent_unknown_key',
      'intent_malformed',
      'replayed_nonce',
      'timestamp_out_of_range',
      'unknown_key',
      'bad_signature',
    ]) {
      expect(refusals).toContain(code);
    }
    for (const vector of vectors) {
      expect(Object.keys(vector)).toEqual(
        expect.arrayContaining(['name', 'kind', 'key_hex', 'kid', 'inputs']),
      );
      expect(vector.valid).toBe(vector.refusal === undefined);
    }
  });

  it.each(vectors.map((v) => [v.name, v] as const))(
    '%s: HMAC-SHA256(key_hex, signed_string) is signature_b64url',
    (_name, vector) => {
      const mac = createHmac('sha256', Buffer.from(vector.key_hex, 'hex'))
        .update(Buffer.from(vector.signed_string, 'utf8'))
        .digest('base64url');
      expect(mac).toBe(vector.signature_b64url);
      if (vector.kind === 'intent' && vector.refusal !== 'intent_bad_signature') {
        expect(vector.token).toBe(`${vector.signed_string}.${mac}`);
      } else if (vector.kind !== 'intent') {
        expect(vector.headers?.['X-Signature']).toBe(mac);
      }
    },
  );
});

describe("the service's own verification, for every vector", () => {
  let dynamo: TestDynamo;
  let nonces: DynamoNonceStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    nonces = new DynamoNonceStore(dynamo.client, dynamo.tableNames.hostNonces);
  });
  afterAll(() => dynamo?.close());

  it.each(vectors.filter((v) => v.kind === 'intent').map((v) => [v.name, v] as const))(
    'intent %s',
    async (_name, vector) => {
      const inputs = inputsOf<IntentInputs>(vector);
      const verdict = verifyIntent(
        serviceKeys,
        vector.token as string,
        {
          action: inputs.request.action,
          feedToken: inputs.request.feed_token,
          returnTo: inputs.request.return_to,
        },
        new Date(inputs.now * 1000),
      );
      if (vector.valid) {
        await expect(verdict).resolves.toMatchObject({
          action: inputs.action,
          exp: inputs.exp,
          nonce: inputs.nonce,
        });
      } else {
        const error = await verdict.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(IntentRejected);
        expect((error as IntentRejected).problem).toBe(vector.refusal);
      }
    },
  );

  it.each(vectors.filter((v) => v.kind !== 'intent').map((v) => [v.name, v] as const))(
    'signed request %s (notify and host events share one scheme)',
    async (_name, vector) => {
      const inputs = inputsOf<SignedInputs>(vector);
      for (const seen of inputs.nonces_seen_before ?? []) await nonces.claim(seen, inputs.now + 600);
      const verdict = authenticateHostRequest(
        { hostKeys: serviceKeys, nonces, now: () => new Date(inputs.now * 1000) },
        {
          method: inputs.method,
          path: inputs.presented_path ?? inputs.path,
          header: headerOf(vector),
          body: Buffer.from(inputs.presented_body ?? (vector.body as string), 'utf8'),
        },
      );
      if (vector.valid)
        await expect(verdict).resolves.toMatchObject({ keyId: vector.kid, nonce: inputs.nonce });
      else {
        const error = await verdict.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Refusal);
        expect((error as Refusal).code).toBe(vector.refusal);
      }
    },
  );
});

describe('the host kit, against the vectors', () => {
  it.each(
    vectors
      .filter((v) => v.kind === 'intent' && v.refusal !== 'intent_bad_signature')
      .map((v) => [v.name, v] as const),
  )('mintIntent reproduces %s', (_name, vector) => {
    const inputs = inputsOf<IntentInputs & { payload_json: string }>(vector);
    const minted = mintIntentDetailed(
      { id: vector.kid, key: vector.key_hex },
      {
        action: inputs.action,
        feedToken: inputs.feed_token,
        returnTo: inputs.return_to,
        ...(inputs.label === undefined ? {} : { label: inputs.label }),
        // The kit takes a mint time and a lifetime: any pair giving the vector's exp mints the same bytes.
        now: new Date((inputs.exp - 600) * 1000),
        nonce: inputs.nonce,
        lifetimeSeconds: 600,
      },
    );
    expect(minted.payloadJson).toBe(inputs.payload_json);
    expect(minted.signedString).toBe(vector.signed_string);
    expect(minted.intent).toBe(vector.token);
  });

  it.each(vectors.filter((v) => v.kind !== 'intent').map((v) => [v.name, v] as const))(
    'signRequest reproduces %s',
    (_name, vector) => {
      const inputs = inputsOf<SignedInputs>(vector);
      const signed = signRequest(
        { id: vector.kid, key: vector.key_hex },
        {
          method: inputs.method,
          path: inputs.path,
          body: vector.body as string,
          timestamp: inputs.timestamp,
          nonce: inputs.nonce,
        },
      );
      expect(signed.signedString).toBe(vector.signed_string);
      expect(signed.headers).toEqual(vector.headers);
    },
  );

  it.each(vectors.filter((v) => v.kind === 'host_event').map((v) => [v.name, v] as const))(
    'verifyHostEvent gives the verdict of %s',
    async (_name, vector) => {
      const inputs = inputsOf<SignedInputs>(vector);
      const seen = new Set(inputs.nonces_seen_before ?? []);
      const result = await verifyHostEvent(
        {
          path: inputs.presented_path ?? inputs.path,
          header: headerOf(vector),
          body: inputs.presented_body ?? (vector.body as string),
        },
        {
          keys: document.service_keys,
          claimNonce: (nonce) => !seen.has(nonce) && Boolean(seen.add(nonce)),
          now: new Date(inputs.now * 1000),
        },
      );
      if (vector.valid) expect(result).toMatchObject({ ok: true, keyId: vector.kid });
      else expect(result).toMatchObject({ ok: false, refusal: vector.refusal });
    },
  );

  it('verifyHostEvent refuses an unknown key, a malformed header, a second delivery and a non-event', async () => {
    const key = { id: 'host-2026-01', key: document.service_keys['host-2026-01'] as string };
    const body = JSON.stringify({ event: 'connected', feed: 'a'.repeat(64), at: '2026-01-01T00:00:00Z' });
    const now = new Date('2026-01-01T00:00:00Z');
    const sign = (b: string) =>
      signRequest(key, { method: 'POST', path: '/hooks', body: b, timestamp: String(now.getTime() / 1000) });
    const claims = new Set<string>();
    const options = {
      keys: document.service_keys,
      claimNonce: (nonce: string) => !claims.has(nonce) && Boolean(claims.add(nonce)),
      now,
    };
    const as = (headers: Record<string, string>) => (name: string) =>
      Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
    const { headers } = sign(body);
    expect(await verifyHostEvent({ path: '/hooks', header: as(headers), body }, options)).toMatchObject({
      ok: true,
    });
    expect(await verifyHostEvent({ path: '/hooks', header: as(headers), body }, options)).toMatchObject({
      refusal: 'replayed_nonce',
      status: 409,
    });
    expect(
      await verifyHostEvent(
        { path: '/hooks', header: as({ ...headers, 'X-Signature-Key-Id': 'nope' }), body },
        options,
      ),
    ).toMatchObject({ refusal: 'unknown_key', status: 401 });
    expect(
      await verifyHostEvent(
        { path: '/hooks', header: as({ ...headers, 'X-Signature': 'short' }), body },
        options,
      ),
    ).toMatchObject({ refusal: 'signature_malformed' });
    expect(await verifyHostEvent({ path: '/hooks', header: () => undefined, body }, options)).toMatchObject({
      refusal: 'signature_missing',
    });
    const notJson = sign('{"event":"connected"}');
    expect(
      await verifyHostEvent(
        { path: '/hooks', header: as(notJson.headers), body: '{"event":"connected"}' },
        options,
      ),
    ).toMatchObject({ refusal: 'invalid_event', status: 400 });
  });
});
