import { describe, expect, it } from 'vitest';
import { parseSyncMessage } from '../../../lambdas/sync/worker/sync-message.ts';

const valid = { subscriberId: 'a1b2c3', reason: 'scheduled', requestedAt: '2026-05-04T10:00:00.000Z' };

describe('reading a sync message', () => {
  it('reads a request as the queue adapter writes it', () => {
    expect(parseSyncMessage(JSON.stringify(valid))).toEqual({ kind: 'request', request: valid });
    expect(parseSyncMessage(JSON.stringify({ ...valid, reason: 'continuation', requeued: 3 }))).toEqual({
      kind: 'request',
      request: { ...valid, reason: 'continuation', requeued: 3 },
    });
  });

  it('ignores fields it does not know (a newer writer)', () => {
    expect(parseSyncMessage(JSON.stringify({ ...valid, extra: true }))).toEqual({
      kind: 'request',
      request: valid,
    });
  });

  it.each([
    ['not JSON', '{oops', /not JSON/],
    ['an array', '[]', /body/],
    ['no subscriber', JSON.stringify({ ...valid, subscriberId: '' }), /subscriberId/],
    ['a subscriber with spaces', JSON.stringify({ ...valid, subscriberId: 'a b' }), /subscriberId/],
    ['an unknown reason', JSON.stringify({ ...valid, reason: 'because' }), /reason/],
    ['a bad time', JSON.stringify({ ...valid, requestedAt: 'yesterday' }), /requestedAt/],
    ['a negative requeue count', JSON.stringify({ ...valid, requeued: -1 }), /requeued/],
  ])('calls %s poison, naming the field and never the value', (_, body, problem) => {
    const parsed = parseSyncMessage(body);
    expect(parsed.kind).toBe('poison');
    if (parsed.kind === 'poison') {
      expect(parsed.problem).toMatch(problem);
      expect(parsed.problem).not.toContain('yesterday');
      expect(parsed.problem).not.toContain('because');
    }
  });
});
