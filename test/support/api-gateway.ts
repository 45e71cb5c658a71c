import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/**
 * API Gateway REST API (v1) proxy events as API Gateway builds them: headers in both the single and multi-value
 * maps (names as the client sent them), `null` for absent query strings, body as a string.
 */
export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'HEAD';
  path: string;
  /** Values of the same name repeated appear in the multi-value map, the last one in the single map. */
  query?: Record<string, string | string[]>;
  headers?: Record<string, string | string[]>;
  body?: string;
  isBase64Encoded?: boolean;
  sourceIp?: string;
}

export function restEvent(request: RestRequest): APIGatewayProxyEvent {
  const single = <T>(values: Record<string, T | T[]>): Record<string, T> =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? (v.at(-1) as T) : v]));
  const multi = <T>(values: Record<string, T | T[]>): Record<string, T[]> =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  const headers = request.headers ?? {};
  const query = request.query;
  return {
    resource: request.path,
    path: request.path,
    httpMethod: request.method,
    headers: single(headers),
    multiValueHeaders: multi(headers),
    queryStringParameters: query ? single(query) : null,
    multiValueQueryStringParameters: query ? multi(query) : null,
    pathParameters: null,
    stageVariables: null,
    body: request.body ?? null,
    isBase64Encoded: request.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      path: `/prod${request.path}`,
      stage: 'prod',
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: request.path,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp ?? '203.0.113.10',
        user: null,
        userAgent: 'test-browser',
        userArn: null,
      },
    },
  };
}

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(functionName = 'google-oauth'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `aws-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export type RestHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Every Set-Cookie of an answer, from either header map. */
export function setCookies(response: APIGatewayProxyResult): string[] {
  const multi = response.multiValueHeaders?.['Set-Cookie'] ?? [];
  const single = response.headers?.['Set-Cookie'];
  return [...multi.map(String), ...(single !== undefined ? [String(single)] : [])];
}

/** A minimal browser cookie jar: keeps name=value of Set-Cookie answers, drops those with Max-Age=0. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: APIGatewayProxyResult): void {
    for (const line of setCookies(response)) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      if (/;\s*Max-Age=0(;|$)/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(separator + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get size(): number {
    return this.cookies.size;
  }
}

export function header(response: APIGatewayProxyResult, name: string): string | undefined {
  const value = Object.entries(response.headers ?? {}).find(
    ([k]) => k.toLowerCase() === name.toLowerCase(),
  )?.[1];
  return value === undefined ? undefined : String(value);
}
