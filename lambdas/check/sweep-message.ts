import * as z from 'zod';
import { SCHEDULE_SHARDS } from '../shared/adapters/dynamodb/connection-store.ts';
import type { SweepRequest } from '../shared/ports/sweep-queue.ts';

/** What a sweep message must hold: a SweepRequest as the queue adapter writes it (no delay: that is transport). */
const sweepMessageSchema = z.object({
  shard: z
    .number()
    .int()
    .nonnegative()
    .max(SCHEDULE_SHARDS - 1),
  requestedAt: z.iso.datetime({ offset: true }),
  // A subscriber id (HMAC hex in practice): printable and short enough to be a DynamoDB key.
  after: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/)
    .optional(),
});

export type ParsedSweepMessage =
  | { kind: 'request'; request: SweepRequest }
  | { kind: 'poison'; problem: string };

/** Reads a message body; anything else than a well-formed sweep is poison, its problem naming fields only. */
export function parseSweepMessage(body: string): ParsedSweepMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'poison', problem: 'the body is not JSON' };
  }
  const parsed = sweepMessageSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'body'))];
    return { kind: 'poison', problem: `invalid ${fields.join(', ')}` };
  }
  const { after, ...request } = parsed.data;
  return { kind: 'request', request: after === undefined ? request : { ...request, after } };
}
