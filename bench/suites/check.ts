/**
 * What checking an unchanged feed costs, counted on the real parts: the check function wired from its
 * configuration (test/support/check-world.ts) over dynalite, fauxqs, the ICS feed server (ETags, so a 304 each)
 * and the envelope cipher over moto's KMS, with the Google emulator running and every subscriber holding a valid
 * grant, so that a check that asked Google for anything would show in its counters.
 *
 * - DynamoDB units: every request of the check's client asks for `ReturnConsumedCapacity: TOTAL` and the answers
 *   are summed (dynalite computes them as DynamoDB documents: 4 KB per read unit, half for eventually consistent
 *   reads, 1 KB per write unit).
 * - KMS calls and SQS requests: counted in the clients' middleware, from a fresh container (the data key is
 *   unwrapped once in it). Google token calls and quota units: the emulator's counters.
 * - Lambda milliseconds: the wall time of the sweep handler in this one process, standing in for the function
 *   (one sweep after another), divided by the checks.
 * - Bytes logged: what the handler writes to stdout (its log line per sweep and the embedded metrics).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type GoogleEmulator, SCOPES, startGoogleEmulator } from '../../emulator/google/index.ts';
import { SCHEDULE_SHARDS } from '../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { CheckWorld } from '../../test/support/check-world.ts';
import { motoAvailability } from '../../tools/moto-server.ts';
import type { Benchmark } from '../benchmark.ts';

/** Subscribers of the benchmark: the issue asks for at least 10,000. */
const SUBSCRIBERS = 10_000;

/** Per unchanged check, the same fields as the figures (without `checks` and `seconds`). */
export interface UncheckedCosts {
  kms_calls_per_check: number;
  google_token_calls_per_check: number;
  google_units_per_check: number;
  dynamodb_wru_per_check: number;
  dynamodb_rru_per_check: number;
  lambda_ms_per_check: number;
  log_bytes_per_check: number;
  sqs_requests_per_check: number;
}

/** Sums the capacity units DynamoDB reports for every request of the client while `on`. */
function meterDynamo(client: DynamoDBClient) {
  const meter = { on: false, readUnits: 0, writeUnits: 0 };
  const WRITES = new Set([
    'PutItemCommand',
    'UpdateItemCommand',
    'DeleteItemCommand',
    'BatchWriteItemCommand',
  ]);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!meter.on) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
        (sum: number, entry: { CapacityUnits?: number }) => sum + (entry.CapacityUnits ?? 0),
        0,
      );
      if (WRITES.has(context.commandName as string)) meter.writeUnits += units;
      else meter.readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
  return meter;
}

/** Counts the SQS requests of the client while `on`. */
function meterSqs(client: SQSClient) {
  const meter = { on: false, requests: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      if (meter.on) meter.requests++;
      return next(args);
    },
    { step: 'initialize', name: 'countSqsRequests' },
  );
  return meter;
}

/** Swallows and counts what is written to stdout while `run` runs. */
async function bytesWrittenDuring(run: () => Promise<void>): Promise<number> {
  const original = process.stdout.write;
  let bytes = 0;
  process.stdout.write = ((chunk: unknown) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : Buffer.isBuffer(chunk) ? chunk.length : 0;
    return true;
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = original;
  }
  return bytes;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Seeds `count` subscribers whose feeds have not changed since their last sync, sweeps every shard once (one
 * sweep after another, as many invocations of the check), and returns the cost per check. Throws without moto
 * (the KMS count needs a KMS).
 */
export async function measureUnchangedChecks(
  count: number,
): Promise<UncheckedCosts & { checks: number; seconds: number }> {
  const availability = motoAvailability();
  if (!availability.available) throw new Error(`unchanged_check needs KMS: ${availability.reason}`);
  const world = new CheckWorld();
  let google: GoogleEmulator | undefined;
  try {
    google = await startGoogleEmulator();
    await world.open({ kms: true, logLevel: 'INFO' });
    // Every subscriber holds a valid grant: a check that refreshed a token would reach the token endpoint.
    const client = google.control.registerClient({ redirectUris: ['https://api.example.test/callback'] });
    const email = 'subscriber@example.com';
    google.control.createUser({ email });
    const grant = google.control.mintTokens({
      user: email,
      clientId: client.clientId,
      scopes: [SCOPES.appCreated],
      offline: true,
    });
    const subscribers = await world.seed(count, { refreshToken: grant.refresh_token as string });
    const shards = [...new Set(subscribers.map((s) => s.shard))].sort((a, b) => a - b);
    const dynamo = meterDynamo(world.dynamo.client);
    const sqs = meterSqs(world.sqs.client);
    google.control.resetCounters();
    const requestedAt = world.clock.date().toISOString();
    dynamo.on = true;
    sqs.on = true;
    let handlerMs = 0;
    const bytes = await bytesWrittenDuring(async () => {
      for (const shard of shards) {
        const started = process.hrtime.bigint();
        const response = await world.sweep({ shard, requestedAt });
        handlerMs += Number(process.hrtime.bigint() - started) / 1e6;
        if (response.batchItemFailures.length > 0) throw new Error(`the sweep of shard ${shard} failed`);
      }
    });
    dynamo.on = false;
    sqs.on = false;
    const jobs = await world.writeJobs();
    if (jobs.length > 0) throw new Error(`${jobs.length} unchanged feeds were sent to the write path`);
    if (world.feeds.answered.notModified !== count)
      throw new Error(`${world.feeds.answered.notModified} of ${count} checks were answered 304`);
    const counters = google.control.counters();
    return {
      checks: count,
      seconds: round(handlerMs / 1000, 3),
      kms_calls_per_check: round(world.kmsCalls.length / count, 6),
      google_token_calls_per_check: (counters.byMethod['oauth2.token'] ?? 0) / count,
      google_units_per_check: counters.units / count,
      dynamodb_wru_per_check: round(dynamo.writeUnits / count),
      dynamodb_rru_per_check: round(dynamo.readUnits / count),
      lambda_ms_per_check: round(handlerMs / count, 3),
      log_bytes_per_check: round(bytes / count, 2),
      sqs_requests_per_check: round(sqs.requests / count, 4),
      ...(counters.total > 0 ? { google_calls: counters.total } : {}),
    };
  } finally {
    await Promise.all([world.close(), google?.close()]);
  }
}

async function unchangedCheck(): Promise<Record<string, number>> {
  const figures = await measureUnchangedChecks(SUBSCRIBERS);
  return { ...figures, shards: SCHEDULE_SHARDS };
}

export default [{ name: 'unchanged_check', run: unchangedCheck }] satisfies Benchmark[];
