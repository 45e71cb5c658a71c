import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeProxy } from '../../../dev/lambda-runtime/http-adapter.ts';

/** The local HTTP adapter: a Node request in as API Gateway's REST (v1) proxy event, the handler's result out. */
describe('the local HTTP adapter', () => {
  let server: Server;
  let base = '';
  let seen: APIGatewayProxyEvent | undefined;
  let answer: APIGatewayProxyResult = { statusCode: 200, body: '' };

  beforeAll(async () => {
    server = createServer((request, response) => {
      invokeProxy(
        async (event) => {
          seen = event;
          return answer;
        },
        'test-function',
        request,
        response,
      ).catch(() => response.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A raw request (fetch would merge repeated headers). */
  const send = (method: string, path: string, headers: [string, string][], body?: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
      (resolve, reject) => {
        const raw = [['Host', new URL(base).host], ...headers].flat();
        const request = httpRequest(`${base}${path}`, { method, headers: raw }, (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
          );
        });
        request.on('error', reject);
        request.end(body);
      },
    );

  it('builds the event API Gateway builds: both header maps, the query decoded, the body as text', async () => {
    await send(
      'POST',
      '/api/google-oauth/start?return_to=http%3A%2F%2Fx%2F&tag=a&tag=b',
      [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['X-Repeated', 'one'],
        ['X-Repeated', 'two'],
      ],
      'token=abc&intent=v1.x',
    );
    const event = seen as APIGatewayProxyEvent;
    expect(event.httpMethod).toBe('POST');
    expect(event.path).toBe('/api/google-oauth/start');
    expect(event.queryStringParameters).toMatchObject({ return_to: 'http://x/', tag: 'b' });
    expect(event.multiValueQueryStringParameters).toMatchObject({ tag: ['a', 'b'] });
    expect(event.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(event.multiValueHeaders['X-Repeated']).toEqual(['one', 'two']);
    expect(event.body).toBe('token=abc&intent=v1.x');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.identity.sourceIp).toBe('127.0.0.1');
    expect(event.requestContext.stage).toBe('local');
  });

  it('takes `__proto__` and `constructor` as ordinary names, in the query and in the headers', async () => {
    const answered = await send('GET', '/api/google-oauth/status?__proto__=x&constructor=y&token=t', [
      ['__proto__', 'z'],
    ]);
    expect(answered.status).toBe(200);
    const event = seen as APIGatewayProxyEvent;
    expect(Object.entries(event.queryStringParameters ?? {})).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['token', 't'],
    ]);
    expect(Object.getPrototypeOf(event.queryStringParameters)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(event.multiValueHeaders, '__proto__')?.value).toEqual(['z']);
  });

  it('has no query maps and no body when the request has none', async () => {
    await send('GET', '/api/google-oauth/status', []);
    expect(seen?.queryStringParameters).toBeNull();
    expect(seen?.multiValueQueryStringParameters).toBeNull();
    expect(seen?.body).toBeNull();
  });

  it('writes every header of both maps (each Set-Cookie on its own line) and decodes a base64 body', async () => {
    answer = {
      statusCode: 302,
      headers: { Location: 'http://127.0.0.1/next', 'Set-Cookie': 'replaced=1' },
      multiValueHeaders: { 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'] },
      body: Buffer.from('moved').toString('base64'),
      isBase64Encoded: true,
    };
    const response = await send('GET', '/x', []);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('http://127.0.0.1/next');
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(response.body).toBe('moved');
  });
});
