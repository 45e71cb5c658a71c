import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderErrors } from '../../../lambdas/shared/adapters/http/middleware.ts';
import { HttpRefusal, type RefusalAnswers } from '../../../lambdas/shared/adapters/http/refusal.ts';
import { requestCookies } from '../../../lambdas/shared/adapters/http/request.ts';
import { Refusal } from '../../../lambdas/shared/errors.ts';
import { lambdaContext, restEvent } from '../../support/api-gateway.ts';

const SECRET = 'tok-secret-value-123456';

const REFUSALS: RefusalAnswers<'busy' | 'too_many'> = {
  busy: { status: 503, message: 'Busy, try later.', headers: { 'Retry-After': '60' } },
  too_many: { status: 429, code: 'rate_limited', message: 'Slow down.' },
};

function handlerThrowing(error: unknown, kind: 'html' | 'json') {
  const logger = new Logger({ serviceName: 'render-test' });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(async () => {
    throw error;
  }).use(
    renderErrors({
      kind,
      logger,
      refusals: REFUSALS,
      backLink: () => ({ href: 'https://app.example.test/', text: 'Back' }),
    }),
  );
}

describe('error rendering', () => {
  const output: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    output.length = 0;
  });
  const capture = () => {
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        output.push(String(chunk));
        return true;
      });
    }
  };

  it('an unexpected error becomes a generic 500: no message, no stack, in the answer or the log', async () => {
    capture();
    const json = await handlerThrowing(new SyntaxError(`Unexpected token in "${SECRET}"`), 'json')(
      restEvent({ method: 'GET', path: '/x' }),
      lambdaContext(),
    );
    expect(json.statusCode).toBe(500);
    expect(JSON.parse(json.body)).toEqual({ error: 'internal_error', message: expect.any(String) });
    expect(json.body).not.toContain(SECRET);
    const logs = output.join('');
    expect(logs).toContain('"errorName":"SyntaxError"');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toMatch(/stack/);
  });

  it('a refusal renders as an escaped HTML page with its headers', async () => {
    capture();
    const page = await handlerThrowing(
      new HttpRefusal(429, 'rate_limited', 'Wait <b>now</b>', { 'Retry-After': '7' }),
      'html',
    )(restEvent({ method: 'GET', path: '/x' }), lambdaContext());
    expect(page.statusCode).toBe(429);
    expect(page.headers?.['Retry-After']).toBe('7');
    expect(page.headers?.['Content-Security-Policy']).toContain("default-src 'none'");
    expect(page.body).toContain('Wait &lt;b&gt;now&lt;/b&gt;');
    expect(page.body).toContain('href="https://app.example.test/"');
  });

  it("a use case's refusal is answered from the function's table; a code it lacks is a 500", async () => {
    capture();
    const answer = async (error: unknown) =>
      handlerThrowing(error, 'json')(restEvent({ method: 'GET', path: '/x' }), lambdaContext());
    const busy = await answer(new Refusal('busy'));
    expect(busy.statusCode).toBe(503);
    expect(busy.headers?.['Retry-After']).toBe('60');
    expect(JSON.parse(busy.body)).toEqual({ error: 'busy', message: 'Busy, try later.' });
    const limited = await answer(new Refusal('too_many', { retryAfterSeconds: 12 }));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers?.['Retry-After']).toBe('12');
    expect(JSON.parse(limited.body)).toEqual({ error: 'rate_limited', message: 'Slow down.' });
    const unknown = await answer(new Refusal('toString'));
    expect(unknown.statusCode).toBe(500);
    expect(output.join('')).toContain('"errorName":"Refusal","errorMessage":"toString"');
  });

  it('reads cookies from either header map and drops a name sent twice', () => {
    const event = restEvent({ method: 'GET', path: '/x', headers: { cookie: ['a=1; b=2', 'b=3; c=4'] } });
    const cookies = requestCookies(event);
    expect(cookies.get('a')).toBe('1');
    expect(cookies.get('b')).toBe('');
    expect(cookies.get('c')).toBe('4');
  });
});
