import { describe, expect, it } from 'vitest';
import { SyncQueueError } from '../../../lambdas/shared/adapters/sqs/sqs-sync-queue.ts';
import { HostKeysError } from '../../../lambdas/shared/domain/host-keys.ts';
import { describeError, Refusal, SafeMessageError } from '../../../lambdas/shared/errors.ts';

const SECRET = 'tok-secret-value-123456';

describe('describeError: what of an error may go into a log line', () => {
  it('the message of a SafeMessageError, and the name alone of any other error', () => {
    class WrittenSafely extends SafeMessageError {
      override readonly name = 'WrittenSafely';
    }
    expect(describeError(new WrittenSafely('3 of 4 done'))).toEqual({
      errorName: 'WrittenSafely',
      errorMessage: '3 of 4 done',
    });
    expect(describeError(new SyncQueueError([], 2))).toMatchObject({ errorName: 'SyncQueueError' });
    expect(describeError(new Refusal('invalid_token'))).toEqual({
      errorName: 'Refusal',
      errorMessage: 'invalid_token',
    });
    expect(describeError(new SyntaxError(`Unexpected token in "${SECRET}"`))).toEqual({
      errorName: 'SyntaxError',
    });
  });

  it('goes by the class, not the name: an error merely named like a safe one shows no message', () => {
    const impostor = Object.assign(new Error(SECRET), { name: 'SyncQueueError' });
    expect(describeError(impostor)).toEqual({ errorName: 'SyncQueueError' });
  });

  it('shows the host keys errors, and names what is not an error by its type', () => {
    expect(describeError(new HostKeysError('HOST_KEYS: entry 2 is too short'))).toEqual({
      errorName: 'HostKeysError',
      errorMessage: 'HOST_KEYS: entry 2 is too short',
    });
    expect(describeError(SECRET)).toEqual({ errorName: 'string' });
    expect(describeError(Object.assign(new Error('x'), { name: `bad name ${SECRET}` }))).toEqual({
      errorName: 'Error',
    });
  });
});
