import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { createCipher } from '../../lambdas/shared/adapters/crypto/create-cipher.ts';
import { DynamoDataKeyStore } from '../../lambdas/shared/adapters/dynamodb/data-key-store.ts';
import type { Cipher, EncryptionContext } from '../../lambdas/shared/ports/cipher.ts';
import { startDynamo } from '../../test/support/dynalite.ts';
import { motoKmsKey } from '../../test/support/moto.ts';
import { motoAvailability, startMotoServer } from '../../tools/moto-server.ts';
import type { Benchmark } from '../benchmark.ts';

const SUBSCRIBERS = 1_000;
const OPENS = 10_000;

/** The KMS operations a client sent, counted in its own middleware stack. */
function countedKms(config: KMSClientConfig): { kms: KMSClient; calls: string[] } {
  const kms = new KMSClient(config);
  const calls: string[] = [];
  kms.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'countKmsCalls' },
  );
  return { kms, calls };
}

/**
 * KMS calls of envelope encryption: one container seals the feed tokens of 1,000 subscribers, another (a fresh
 * warm container) opens them 10,000 times, as unchanged checks would. KMS is moto's (encryption contexts
 * enforced); the data keys are in a DynamoDB table. Goal: about one KMS call per data key, not one per open.
 */
async function envelopeCipher(): Promise<Record<string, number>> {
  const availability = motoAvailability();
  if (!availability.available) throw new Error(`envelope_cipher needs KMS: ${availability.reason}`);
  const moto = await startMotoServer();
  const dynamo = await startDynamo();
  try {
    const clientConfig = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
    const admin = new KMSClient(clientConfig);
    const keyId = await motoKmsKey(admin);
    admin.destroy();
    const container = () => {
      const { kms, calls } = countedKms(clientConfig);
      const store = new DynamoDataKeyStore(dynamo.client, dynamo.tableNames.dataKeys);
      const settings = { kind: 'kms', keyId, dataKeys: dynamo.tableNames.dataKeys } as const;
      return { cipher: createCipher(settings, () => kms, store) as Cipher, calls };
    };
    const contexts: EncryptionContext[] = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
      subscriberId: `subscriber-${i}`,
      purpose: 'feed_token',
    }));
    const sealer = container();
    const sealed = await Promise.all(
      contexts.map((context, i) => sealer.cipher.encrypt(`feed-token-${i}`, context)),
    );
    const opener = container();
    const started = process.hrtime.bigint();
    for (let open = 0; open < OPENS; open += SUBSCRIBERS) {
      await Promise.all(
        sealed.map((value, i) => opener.cipher.decrypt(value, contexts[i] as EncryptionContext)),
      );
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const dataKeys = new Set(sealed.map((value) => value.split(':')[1])).size;
    return {
      opens: OPENS,
      subscribers: SUBSCRIBERS,
      data_keys: dataKeys,
      kms_calls_per_10k_opens: (opener.calls.length * 10_000) / OPENS,
      seal_kms_calls: sealer.calls.length,
      open_seconds: Math.round(seconds * 1000) / 1000,
      us_per_open: Math.round((seconds * 1e6) / OPENS),
    };
  } finally {
    await dynamo.close();
    await moto.stop();
  }
}

export default [{ name: 'envelope_cipher', run: envelopeCipher }] satisfies Benchmark[];
