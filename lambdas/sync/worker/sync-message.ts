import * as z from 'zod';
import { SYNC_REASONS, type SyncRequest } from '../../shared/ports/sync-queue.ts';

/** What a sync message must hold: a SyncRequest as the queue adapter writes it (no delay: that is transport). */
const syncMessageSchema = z.object({
  // HMAC hex in practice; anything printable and short enough to be a DynamoDB key is taken.
  subscriberId: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/),
  reason: z.enum(SYNC_REASONS),
  requestedAt: z.iso.datetime({ offset: true }),
  requeued: z.number().int().nonnegative().max(10_000).optional(),
});

export type ParsedSyncMessage =
  | { kind: 'request'; request: SyncRequest }
  | { kind: 'poison'; problem: string };

/**
 * Reads a message body. Anything else than a well-formed request is poison: it can never be processed, so the
 * worker gives it back to the queue (see the worker for why) and the problem it logs names fields, never
 * values.
 */
export function parseSyncMessage(body: string): ParsedSyncMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'poison', problem: 'the body is not JSON' };
  }
  const parsed = syncMessageSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'body'))];
    return { kind: 'poison', problem: `invalid ${fields.join(', ')}` };
  }
  const { requeued, ...request } = parsed.data;
  return { kind: 'request', request: requeued ? { ...request, requeued } : request };
}
