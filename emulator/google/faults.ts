/** Injected failures and slowness: "the next N calls to method M fail with status S / are slow by D ms". */
import type { FaultSpec } from './types.ts';

interface PendingFault extends FaultSpec {
  remaining: number;
}

export class FaultInjector {
  private pending: PendingFault[] = [];

  add(fault: FaultSpec): void {
    if (!fault.method) throw new Error('a fault needs a method (or "*")');
    if (fault.status === undefined && fault.delayMs === undefined) {
      throw new Error('a fault needs a status, a delayMs, or both');
    }
    this.pending.push({ ...fault, remaining: fault.count ?? 1 });
  }

  /** The first pending fault matching this call, consumed once. `user` matches by id or email. */
  take(method: string, user?: { id: string; email: string }): FaultSpec | undefined {
    const fault = this.pending.find(
      (candidate) =>
        (candidate.method === '*' || candidate.method === method) &&
        (!candidate.user || candidate.user === user?.id || candidate.user.toLowerCase() === user?.email),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.pending = this.pending.filter((candidate) => candidate !== fault);
    const { remaining: _remaining, ...spec } = fault;
    return spec;
  }

  clear(): void {
    this.pending = [];
  }

  list(): FaultSpec[] {
    return this.pending.map(({ remaining, ...spec }) => ({ ...spec, count: remaining }));
  }
}

const DEFAULT_ANSWERS: Record<number, { reason: string; message: string }> = {
  400: { reason: 'badRequest', message: 'Bad Request' },
  401: { reason: 'authError', message: 'Invalid Credentials' },
  403: { reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' },
  404: { reason: 'notFound', message: 'Not Found' },
  409: { reason: 'conflict', message: 'Conflict' },
  410: { reason: 'deleted', message: 'Resource has been deleted' },
  429: { reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' },
  500: { reason: 'backendError', message: 'Backend Error' },
  502: { reason: 'backendError', message: 'Bad Gateway' },
  503: { reason: 'backendError', message: 'The service is currently unavailable.' },
};

/** The reason and message an injected status is answered with, unless the fault names its own. */
export function faultAnswer(fault: FaultSpec): { reason: string; message: string } {
  const fallback = DEFAULT_ANSWERS[fault.status ?? 500] ?? {
    reason: 'backendError',
    message: 'Backend Error',
  };
  return { reason: fault.reason ?? fallback.reason, message: fault.message ?? fallback.message };
}
