import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * API Gateway REST API (v1) proxy events as API Gateway builds them: headers in both the single and multi-value
 * maps (names as the client sent them), `null` for absent query strings, body as a string. The local run builds
 * one per HTTP request; the tests build them directly.
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
  userAgent?: string;
  /** The API Gateway stage (`requestContext.stage`, and the first segment of `requestContext.path`). */
  stage?: string;
}

export function restEvent(request: RestRequest): APIGatewayProxyEvent {
  const single = <T>(values: Record<string, T | T[]>): Record<string, T> =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? (v.at(-1) as T) : v]));
  const multi = <T>(values: Record<string, T | T[]>): Record<string, T[]> =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  const headers = request.headers ?? {};
  const query = request.query;
  const stage = request.stage ?? 'prod';
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
      path: `/${stage}${request.path}`,
      stage,
      requestId: `req-${randomUUID()}`,
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
        userAgent: request.userAgent ?? null,
        userArn: null,
      },
    },
  };
}

/**
 * A Lambda context good enough for middy and Powertools. `timeoutMs` is the function's timeout: the remaining
 * time counts down from the moment the context is made, as for one invocation.
 */
export function lambdaContext(functionName = 'google-oauth', timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
