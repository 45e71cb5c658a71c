import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Message, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { ensureTables } from '../../dev/local-aws/dynamo-tables.ts';
import { type MotoServer, motoAvailability, resetMoto, startMotoServer } from '../../tools/moto-server.ts';
import type { TestDynamo } from './dynalite.ts';
import { queueHelpers } from './fauxqs.ts';

/**
 * The adapters' integration tests run on a second backend, moto (a Python emulator of AWS), beside the in-process
 * dynalite and fauxqs: moto is closer to AWS in several places (test/README.md). It is not an npm package, so
 * where `moto_server` is not on the PATH its variants skip and their titles say why; in CI (or with
 * REQUIRE_MOTO=1, which `.ci/run` sets) they must run, and a missing moto fails them.
 */
export const motoRequired = Boolean(process.env.CI) || process.env.REQUIRE_MOTO === '1';

const availability = motoAvailability();

export const skipWithoutMoto = !availability.available && !motoRequired;

/** Appended to the title of a moto suite: the reason it is skipped, or nothing. */
export const motoNote = availability.available
  ? ''
  : skipWithoutMoto
    ? ` (skipped: ${availability.reason}; install it to run them)`
    : ` (required by CI or REQUIRE_MOTO=1, but ${availability.reason})`;

if (skipWithoutMoto) process.stderr.write(`moto variants of the adapter tests${motoNote}\n`);

// One server per test file (vitest loads this module afresh for each file): starting moto takes about a second,
// so the file's moto suites share it, each starting from a reset.
let server: Promise<MotoServer> | undefined;
let suitesUsingIt = 0;

/**
 * The file's moto_server for the calling suite: started before the suite's tests (reset instead when an earlier
 * suite of the file started it), stopped after the file's last moto suite. Read `.server` inside a test.
 */
export function useMoto(): { readonly server: MotoServer } {
  const handle = {} as { server: MotoServer };
  suitesUsingIt++;
  beforeAll(async () => {
    // Required but missing: fail at once with the reason, rather than wait for a server that cannot start.
    if (!availability.available) throw new Error(`moto variants must run here${motoNote}`);
    if (server) {
      handle.server = await server;
      await resetMoto(handle.server.endpoint);
    } else {
      server = startMotoServer();
      handle.server = await server;
    }
  });
  afterAll(async () => {
    suitesUsingIt--;
    if (suitesUsingIt === 0 && server) {
      const stopping = server;
      server = undefined;
      await (await stopping).stop();
    }
  });
  return handle;
}

/** Endpoint, region and credentials of an SDK client pointed at moto. */
export function motoClientConfig(moto: MotoServer) {
  return { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
}

/** Every table of TABLES on moto, under a unique prefix, as the dynalite harness makes them. */
export async function motoDynamo(moto: MotoServer): Promise<TestDynamo> {
  const client = new DynamoDBClient(motoClientConfig(moto));
  const tableNames = await ensureTables(client, `t${Date.now().toString(36)}`);
  return {
    client,
    tableNames,
    async close() {
      client.destroy();
    },
  };
}

/** What the SQS adapter tests need of a server: a client, queues, and a consumer's drain. */
export interface MotoSqs {
  client: SQSClient;
  createQueue(
    name: string,
    options?: { fifo?: boolean; attributes?: Record<string, string> },
  ): Promise<string>;
  drain(queueUrl: string): Promise<Message[]>;
  close(): Promise<void>;
}

/** An SQS client on moto, with the same createQueue and drain as test/support/fauxqs.ts. */
export function motoSqs(moto: MotoServer): MotoSqs {
  const client = new SQSClient(motoClientConfig(moto));
  return {
    client,
    ...queueHelpers(client),
    async close() {
      client.destroy();
    },
  };
}

/** A new symmetric key (the kind the stack creates); returns its ARN. */
export async function motoKmsKey(kms: KMSClient): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT' }));
  if (!KeyMetadata?.Arn) throw new Error('CreateKey returned no key ARN');
  return KeyMetadata.Arn;
}

export const motoKms = (moto: MotoServer) => new KMSClient(motoClientConfig(moto));
export const motoSecretsManager = (moto: MotoServer) => new SecretsManagerClient(motoClientConfig(moto));

/** Creates a secret with a string value, as an operator would; returns its ARN. */
export async function motoSecret(
  secrets: SecretsManagerClient,
  name: string,
  value: string,
): Promise<string> {
  const { ARN } = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  if (!ARN) throw new Error(`CreateSecret returned no ARN for ${name}`);
  return ARN;
}
