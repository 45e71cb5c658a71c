/**
 * Envelope encryption (EnvelopeCipher, DataKeyRing) on a real data-key table (dynalite) with the local run's
 * key wrapper: the sealed format, what it refuses, earlier formats, and rotation. The same on KMS (moto), with
 * its encryption contexts enforced, is in test/integration/crypto/envelope-cipher.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../dev/local-aws/dynamo-tables.ts';
import { createCipher } from '../../../lambdas/shared/adapters/crypto/create-cipher.ts';
import { DataKeyRing, ROTATION_DAYS } from '../../../lambdas/shared/adapters/crypto/data-key-ring.ts';
import { EnvelopeCipher } from '../../../lambdas/shared/adapters/crypto/envelope-cipher.ts';
import { LocalAesGcmCipher } from '../../../lambdas/shared/adapters/crypto/local-cipher.ts';
import { LocalKeyWrapper } from '../../../lambdas/shared/adapters/crypto/local-key-wrapper.ts';
import { DynamoDataKeyStore } from '../../../lambdas/shared/adapters/dynamodb/data-key-store.ts';
import type { EncryptionContext, SecretPurpose } from '../../../lambdas/shared/ports/cipher.ts';
import { ManualClock } from '../../support/clock.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const alice: EncryptionContext = { subscriberId: 'a'.repeat(64), purpose: 'feed_token' };
const bob: EncryptionContext = { subscriberId: 'b'.repeat(64), purpose: 'feed_token' };
const aliceRefresh: EncryptionContext = { subscriberId: alice.subscriberId, purpose: 'google_refresh_token' };
const secret = '1//0g-refresh-token-Ab_cD';

/** The local wrapper, counting its unwraps (a real wrapper, only observed). */
class CountingLocalWrapper extends LocalKeyWrapper {
  unwraps = 0;
  generated = 0;
  override async generate(purpose: SecretPurpose, dataKeyId: string) {
    this.generated++;
    return super.generate(purpose, dataKeyId);
  }
  override async unwrap(purpose: SecretPurpose, dataKeyId: string, wrappedKey: string) {
    this.unwraps++;
    return super.unwrap(purpose, dataKeyId, wrappedKey);
  }
}

let dynamo: TestDynamo;
let tableCounter = 0;
beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => dynamo.close());

/** A fresh data-key table, as a new deployment has. */
async function freshTable(): Promise<string> {
  return (await ensureTables(dynamo.client, `dk${Date.now().toString(36)}${++tableCounter}`)).dataKeys;
}

/** One container: its own ring (cache) over the shared table, on its own clock. */
function container(table: string, masterKey: string, clock = new ManualClock('2026-01-01T00:00:00Z')) {
  const wrapper = new CountingLocalWrapper(masterKey);
  const store = new DynamoDataKeyStore(dynamo.client, table);
  const ring = new DataKeyRing({ store, wrapper, now: clock.date });
  return { cipher: new EnvelopeCipher(ring, new LocalAesGcmCipher(masterKey)), wrapper, store, clock };
}

const newMasterKey = () => randomBytes(32).toString('base64');

describe('the sealed format', () => {
  let masterKey: string;
  let table: string;
  beforeAll(async () => {
    masterKey = newMasterKey();
    table = await freshTable();
  });

  it("seals under the purpose's first data key, names it, and opens again", async () => {
    const { cipher } = container(table, masterKey);
    const sealed = await cipher.encrypt(secret, alice);
    expect(sealed).toMatch(/^dk1:feed_token-1:[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain(secret);
    expect(await cipher.decrypt(sealed, alice)).toBe(secret);
    // A fresh IV each time: the same secret never seals to the same value.
    expect(await cipher.encrypt(secret, alice)).not.toBe(sealed);
    const refresh = await cipher.encrypt(secret, aliceRefresh);
    expect(refresh).toMatch(/^dk1:google_refresh_token-1:/);
  });

  it('refuses another subscriber and another purpose (the context is authenticated data)', async () => {
    const { cipher } = container(table, masterKey);
    const sealed = await cipher.encrypt(secret, alice);
    await expect(cipher.decrypt(sealed, bob)).rejects.toMatchObject({
      name: 'DecryptionError',
      reason: 'refused',
    });
    await expect(cipher.decrypt(sealed, aliceRefresh)).rejects.toMatchObject({ reason: 'refused' });
    // Even relabelled to name a key of the other purpose, the bytes do not open for it.
    const refreshKeyName = sealed.replace('dk1:feed_token-1:', 'dk1:google_refresh_token-1:');
    await container(table, masterKey).cipher.encrypt('x', aliceRefresh);
    await expect(cipher.decrypt(refreshKeyName, aliceRefresh)).rejects.toMatchObject({ reason: 'refused' });
  });

  it('refuses tampered, truncated and malformed values, never naming the secret', async () => {
    const { cipher } = container(table, masterKey);
    const sealed = await cipher.encrypt(secret, alice);
    const [prefix, keyId, body] = sealed.split(':') as [string, string, string];
    const bytes = Buffer.from(body, 'base64');
    for (const index of [0, 13, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[index] = (altered[index] as number) ^ 1;
      const error = await cipher
        .decrypt(`${prefix}:${keyId}:${altered.toString('base64')}`, alice)
        .catch((e) => e);
      expect(error).toMatchObject({ name: 'DecryptionError', reason: 'refused' });
      expect(String(error.message)).not.toContain(secret);
    }
    const truncated = `${prefix}:${keyId}:${bytes.subarray(0, 20).toString('base64')}`;
    await expect(cipher.decrypt(truncated, alice)).rejects.toMatchObject({ reason: 'malformed' });
    await expect(cipher.decrypt(`dk1:${keyId}:not base64!`, alice)).rejects.toMatchObject({
      reason: 'malformed',
    });
    await expect(cipher.decrypt(`dk1:../etc:${body}`, alice)).rejects.toMatchObject({ reason: 'malformed' });
    await expect(cipher.decrypt('dk1:', alice)).rejects.toMatchObject({ reason: 'malformed' });
    await expect(cipher.decrypt('plain text', alice)).rejects.toMatchObject({ reason: 'malformed' });
  });

  it("refuses a value sealed under another data key: another deployment's, or one that was never made", async () => {
    const elsewhere = container(await freshTable(), newMasterKey()).cipher;
    const foreign = await elsewhere.encrypt(secret, alice);
    expect(foreign.startsWith('dk1:feed_token-1:')).toBe(true);
    const { cipher } = container(table, masterKey);
    await expect(cipher.decrypt(foreign, alice)).rejects.toMatchObject({ reason: 'refused' });
    const neverMade = (await cipher.encrypt(secret, alice)).replace('feed_token-1:', 'feed_token-77:');
    await expect(cipher.decrypt(neverMade, alice)).rejects.toMatchObject({ reason: 'refused' });
  });

  it('opens the earlier local1 format, and writes it again in the new one', async () => {
    const earlier = await new LocalAesGcmCipher(masterKey).encrypt(secret, alice);
    const { cipher } = container(table, masterKey);
    expect(await cipher.decrypt(earlier, alice)).toBe(secret);
    await expect(cipher.decrypt(earlier, bob)).rejects.toMatchObject({ reason: 'refused' });
    expect(await cipher.encrypt(await cipher.decrypt(earlier, alice), alice)).toMatch(/^dk1:/);
  });

  it('is what createCipher makes when a data-key table is configured', async () => {
    const store = new DynamoDataKeyStore(dynamo.client, table);
    const cipher = createCipher({ kind: 'local', keyBase64: masterKey, dataKeys: table }, undefined, store);
    expect(cipher).toBeInstanceOf(EnvelopeCipher);
    const sealed = await cipher.encrypt(secret, alice);
    expect(await container(table, masterKey).cipher.decrypt(sealed, alice)).toBe(secret);
  });
});

describe('data keys per container', () => {
  it('unwraps a data key once for any number of opens, and shares it between concurrent opens', async () => {
    const table = await freshTable();
    const masterKey = newMasterKey();
    const sealer = container(table, masterKey);
    const sealed = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sealer.cipher.encrypt(`${secret}-${i}`, { ...alice, subscriberId: `s${i}` }),
      ),
    );
    expect(sealer.wrapper.generated).toBe(1);
    const opener = container(table, masterKey);
    const opened = await Promise.all(
      sealed.map((value, i) => opener.cipher.decrypt(value, { ...alice, subscriberId: `s${i}` })),
    );
    for (let round = 0; round < 5; round++) {
      for (const [i, value] of sealed.entries())
        await opener.cipher.decrypt(value, { ...alice, subscriberId: `s${i}` });
    }
    expect(opened[7]).toBe(`${secret}-7`);
    expect(opener.wrapper.unwraps).toBe(1);
    expect(opener.wrapper.generated).toBe(0);
  });
});

describe('rotation', () => {
  it(`makes a new key once the active one is ${ROTATION_DAYS} days old; values of the old key still open`, async () => {
    const table = await freshTable();
    const masterKey = newMasterKey();
    const one = container(table, masterKey);
    const before = await one.cipher.encrypt(secret, alice);
    one.clock.advance((ROTATION_DAYS - 1) * DAY_MS);
    expect(await one.cipher.encrypt(secret, alice)).toMatch(/^dk1:feed_token-1:/);
    one.clock.advance(DAY_MS);
    const after = await one.cipher.encrypt(secret, alice);
    expect(after).toMatch(/^dk1:feed_token-2:/);
    expect(await one.cipher.decrypt(before, alice)).toBe(secret);
    // A container started later opens both generations.
    const later = container(table, masterKey, new ManualClock(one.clock.now()));
    expect(await later.cipher.decrypt(before, alice)).toBe(secret);
    expect(await later.cipher.decrypt(after, alice)).toBe(secret);
    expect((await one.store.get('feed_token-1'))?.state).toBe('retired');
    expect(await one.store.activeGeneration('feed_token')).toBe(2);
    // Each purpose rotates on its own: the refresh-token series has not started.
    expect(await one.store.activeGeneration('google_refresh_token')).toBeUndefined();
  });

  it('containers rotating at once agree on one new key', async () => {
    const table = await freshTable();
    const masterKey = newMasterKey();
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    await container(table, masterKey, clock).cipher.encrypt(secret, alice);
    clock.advance(ROTATION_DAYS * DAY_MS);
    const containers = Array.from({ length: 4 }, () => container(table, masterKey, clock));
    const sealed = await Promise.all(containers.map(({ cipher }) => cipher.encrypt(secret, alice)));
    expect(new Set(sealed.map((value) => value.split(':')[1]))).toEqual(new Set(['feed_token-2']));
    for (const value of sealed) {
      for (const { cipher } of containers) expect(await cipher.decrypt(value, alice)).toBe(secret);
    }
    expect(await containers[0]?.store.get('feed_token-3')).toBeUndefined();
  });

  it('an operator forces a rotation by retiring the active key; containers follow within the recheck interval', async () => {
    const table = await freshTable();
    const masterKey = newMasterKey();
    const one = container(table, masterKey);
    const before = await one.cipher.encrypt(secret, alice);
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { keyId: { S: 'feed_token-1' } },
        UpdateExpression: 'SET #state = :retired',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':retired': { S: 'retired' } },
      }),
    );
    // Until the container looks again it keeps the key it has.
    expect(await one.cipher.encrypt(secret, alice)).toMatch(/^dk1:feed_token-1:/);
    one.clock.advance(10 * 60 * 1000);
    expect(await one.cipher.encrypt(secret, alice)).toMatch(/^dk1:feed_token-2:/);
    expect(await one.cipher.decrypt(before, alice)).toBe(secret);
  });
});
