/**
 * Envelope encryption against KMS as moto runs it (moto enforces encryption contexts): GenerateDataKey and
 * Decrypt under `{purpose, dataKeyId}`, the data keys in a real table, and the KMS calls counted on the SDK
 * client itself. Skipped, with the reason in the title, where moto_server is not installed; in CI it must run.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCipher } from '../../../lambdas/shared/adapters/crypto/create-cipher.ts';
import { ROTATION_DAYS } from '../../../lambdas/shared/adapters/crypto/data-key-ring.ts';
import { EnvelopeCipher } from '../../../lambdas/shared/adapters/crypto/envelope-cipher.ts';
import { KmsCipher } from '../../../lambdas/shared/adapters/crypto/kms-cipher.ts';
import { DynamoDataKeyStore } from '../../../lambdas/shared/adapters/dynamodb/data-key-store.ts';
import type { Cipher, EncryptionContext } from '../../../lambdas/shared/ports/cipher.ts';
import { ManualClock } from '../../support/clock.ts';
import type { TestDynamo } from '../../support/dynalite.ts';
import { motoDynamo, motoKms, motoKmsKey, motoNote, skipWithoutMoto, useMoto } from '../../support/moto.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const alice: EncryptionContext = { subscriberId: 'a'.repeat(64), purpose: 'google_refresh_token' };
const bob: EncryptionContext = { subscriberId: 'b'.repeat(64), purpose: 'google_refresh_token' };
const secret = '1//0g-refresh-token-Ab_cD';

/** The KMS operations a client sent, counted in its own middleware stack (the real client, only observed). */
function counted(kms: KMSClient): string[] {
  const calls: string[] = [];
  kms.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'countKmsCalls' },
  );
  return calls;
}

describe.skipIf(skipWithoutMoto)(`envelope encryption on KMS${motoNote}`, () => {
  const moto = useMoto();
  let dynamo: TestDynamo;
  let keyArn: string;
  const clock = new ManualClock('2026-03-01T00:00:00Z');

  beforeAll(async () => {
    dynamo = await motoDynamo(moto.server);
    const admin = motoKms(moto.server);
    keyArn = await motoKmsKey(admin);
    admin.destroy();
  });
  afterAll(async () => dynamo?.close());

  /** A warm container: its own KMS client (counted) and data-key cache, on the shared table and key. */
  function container(): { cipher: Cipher; calls: string[] } {
    const kms = motoKms(moto.server);
    const calls = counted(kms);
    const store = new DynamoDataKeyStore(dynamo.client, dynamo.tableNames.dataKeys);
    const cipher = createCipher(
      { kind: 'kms', keyId: keyArn, dataKeys: dynamo.tableNames.dataKeys },
      () => kms,
      store,
      { now: clock.date },
    );
    return { cipher, calls };
  }

  it('seals with one GenerateDataKey, and a ciphertext of one subscriber does not open for another', async () => {
    const { cipher, calls } = container();
    expect(cipher).toBeInstanceOf(EnvelopeCipher);
    const sealed = await cipher.encrypt(secret, alice);
    await cipher.encrypt('another token', bob);
    expect(sealed).toMatch(/^dk1:google_refresh_token-1:/);
    expect(calls).toEqual(['GenerateDataKeyCommand']);
    expect(await cipher.decrypt(sealed, alice)).toBe(secret);
    await expect(cipher.decrypt(sealed, bob)).rejects.toMatchObject({
      name: 'DecryptionError',
      reason: 'refused',
    });
    await expect(container().cipher.decrypt(sealed, bob)).rejects.toMatchObject({ reason: 'refused' });
  });

  it('unwraps a data key once per container: one KMS Decrypt for 500 opens', async () => {
    const sealer = container();
    const subscribers = Array.from({ length: 50 }, (_, i) => ({ ...alice, subscriberId: `subscriber-${i}` }));
    const sealed = await Promise.all(subscribers.map((context) => sealer.cipher.encrypt(secret, context)));
    const opener = container();
    for (let round = 0; round < 10; round++) {
      const opened = await Promise.all(
        sealed.map((value, i) => opener.cipher.decrypt(value, subscribers[i] as EncryptionContext)),
      );
      expect(new Set(opened)).toEqual(new Set([secret]));
    }
    expect(opener.calls).toEqual(['DecryptCommand']);
  });

  it('KMS itself binds a wrapped data key to its id: moved under another id it does not unwrap', async () => {
    const { cipher } = container();
    const sealed = await cipher.encrypt(secret, alice);
    const keyId = sealed.split(':')[1] as string;
    const original = await new DynamoDataKeyStore(dynamo.client, dynamo.tableNames.dataKeys).get(keyId);
    // The same wrapped bytes stored as another generation: KMS refuses them under that id's context.
    await dynamo.client.send(
      new PutItemCommand({
        TableName: dynamo.tableNames.dataKeys,
        Item: {
          keyId: { S: 'google_refresh_token-90' },
          purpose: { S: 'google_refresh_token' },
          generation: { N: '90' },
          wrappedKey: { S: original?.wrappedKey as string },
          createdAt: { S: original?.createdAt as string },
          state: { S: 'retired' },
        },
      }),
    );
    const moved = sealed.replace(`:${keyId}:`, ':google_refresh_token-90:');
    // Not the subscriber's fault: `unavailable`, so the stored value is never discarded for it.
    await expect(container().cipher.decrypt(moved, alice)).rejects.toMatchObject({ reason: 'unavailable' });
  });

  it(`rotates after ${ROTATION_DAYS} days: a new data key, and the old ciphertexts still open`, async () => {
    const first = container();
    const before = await first.cipher.encrypt(secret, alice);
    clock.advance(ROTATION_DAYS * DAY_MS);
    const after = await first.cipher.encrypt(secret, alice);
    expect(before.split(':')[1]).not.toBe(after.split(':')[1]);
    // The container unwrapped the key earlier tests made, then made the next one.
    expect(first.calls).toEqual(['DecryptCommand', 'GenerateDataKeyCommand']);
    const fresh = container();
    expect(await fresh.cipher.decrypt(before, alice)).toBe(secret);
    expect(await fresh.cipher.decrypt(after, alice)).toBe(secret);
    expect(fresh.calls).toEqual(['DecryptCommand', 'DecryptCommand']);
  });

  it('opens the earlier kms1 format (KMS-encrypted under {subscriberId, purpose}) and re-seals it on write', async () => {
    const kms = motoKms(moto.server);
    const earlier = await new KmsCipher(kms, keyArn).encrypt(secret, alice);
    kms.destroy();
    expect(earlier).toMatch(/^kms1:/);
    const { cipher, calls } = container();
    expect(await cipher.decrypt(earlier, alice)).toBe(secret);
    // KMS enforces the context of the earlier format too.
    await expect(cipher.decrypt(earlier, bob)).rejects.toMatchObject({ reason: 'refused' });
    expect(calls).toEqual(['DecryptCommand', 'DecryptCommand']);
    expect(await cipher.encrypt(await cipher.decrypt(earlier, alice), alice)).toMatch(/^dk1:/);
  });
});
