import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pause, resume } from '../../../tools/ops/commands.ts';
import type { OpsTarget } from '../../../tools/ops/target.ts';
import { feedOf, WorkerHarness } from './harness.ts';

/** The operator's pause (`npm run ops -- pause`) as the scheduler and the worker honour it. */
describe("the operator's pause", () => {
  const h = new WorkerHarness();
  // pause and resume use the connection store only.
  const target = () => ({ connections: h.connections }) as unknown as OpsTarget;
  beforeAll(() => h.open());
  afterAll(() => h.close());

  it('leaves the subscriber out of the schedule and skips "sync now" and notifications until resumed', async () => {
    const subscriber = await h.connect(feedOf(3));
    await pause(target(), subscriber.id);
    await h.sqs.drain(h.queueUrl);
    await h.tick();
    const queued = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body).subscriberId);
    expect(queued).not.toContain(subscriber.id);

    const from = h.emf.length;
    await h.send(h.syncRequest(subscriber.id, 'manual'), h.syncRequest(subscriber.id, 'notified'));
    await h.deliverAll();
    expect(h.googleCalls(subscriber)).toBe(0);
    expect(h.summariesInGoogle(subscriber)).toEqual([]);
    expect(h.emf.slice(from).filter((line) => 'SyncSkipped' in line)).toEqual([
      expect.objectContaining({ reason: 'operator_paused' }),
      expect.objectContaining({ reason: 'operator_paused' }),
    ]);

    await resume(target(), subscriber.id);
    await h.sqs.drain(h.queueUrl);
    await h.tick();
    const requeued = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body).subscriberId);
    expect(requeued).toContain(subscriber.id);
    await h.sqs.drain(h.queueUrl);
    await h.send(h.syncRequest(subscriber.id, 'manual'));
    await h.deliverAll();
    expect(h.summariesInGoogle(subscriber)).toEqual(['Event 0', 'Event 1', 'Event 2']);
  });
});
