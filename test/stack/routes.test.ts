/**
 * One route table (lambdas/shared/routes.ts), read by everything that serves the API: the synthesized REST API
 * has exactly its routes, each going to its function; each function's router answers its routes and no other;
 * the lists derived from it elsewhere agree with it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFY_PATH as HOST_KIT_NOTIFY_PATH } from '../../host-kit/index.ts';
import { createNotifyHandler } from '../../lambdas/notify/router.ts';
import { HOST_SIGNED_ROUTES, RATE_LIMITED_ROUTES } from '../../lambdas/oauth/config.ts';
import { createOAuthHandler } from '../../lambdas/oauth/router.ts';
import {
  type ApiRoute,
  functionServing,
  type RouteFunction,
  routeList,
} from '../../lambdas/shared/routes.ts';
import { HOST_ROUTE_SUFFIXES, ROUTES } from '../../lib/constructs/api.ts';
import { lambdaContext, type RestRequest, restEvent } from '../support/api-gateway.ts';
import {
  type CfnTemplate,
  logicalIdOf,
  removeAssemblies,
  resourcesOf,
  type Synthesized,
  synthesize,
} from './synth.ts';

const describeRoute = (route: Pick<ApiRoute, 'method' | 'path' | 'function'>) =>
  `${route.method} ${route.path} -> ${route.function}`;

/** Every API Gateway method of the template as "METHOD /path -> function". */
function synthesizedRoutes(synthesized: Synthesized): string[] {
  const json: CfnTemplate = synthesized.json;
  const resources = new Map(resourcesOf(json, 'AWS::ApiGateway::Resource'));
  const pathOf = (reference: unknown): string => {
    const id = (reference as { Ref?: string }).Ref;
    const resource = id === undefined ? undefined : resources.get(id);
    if (!resource) return ''; // the API's root (Fn::GetAtt RootResourceId)
    return `${pathOf(resource.Properties?.ParentId)}/${resource.Properties?.PathPart}`;
  };
  const functionIds: Record<RouteFunction, string> = {
    oauth: logicalIdOf(synthesized.stack, synthesized.stack.functions.oauth),
    notify: logicalIdOf(synthesized.stack, synthesized.stack.functions.notify),
  };
  return resourcesOf(json, 'AWS::ApiGateway::Method').map(([, method]) => {
    const uri = JSON.stringify(method.Properties?.Integration?.Uri);
    const targets = (Object.keys(functionIds) as RouteFunction[]).filter((fn) =>
      uri.includes(functionIds[fn]),
    );
    return `${method.Properties?.HttpMethod} ${pathOf(method.Properties?.ResourceId)} -> ${targets.join(',')}`;
  });
}

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
}, 120_000);
afterAll(removeAssemblies);

describe('the route table', () => {
  it('is exactly the synthesized API: every route a method going to its function, nothing else', () => {
    expect(synthesizedRoutes(synthesized).sort()).toEqual(routeList().map(describeRoute).sort());
    // And no resource that serves nothing: each one is a route's path or on the way to one.
    const resourcePaths = resourcesOf(synthesized.json, 'AWS::ApiGateway::Resource').length;
    const prefixes = new Set(
      routeList().flatMap((route) =>
        route.path
          .split('/')
          .slice(1)
          .map((_, index, parts) => parts.slice(0, index + 1).join('/')),
      ),
    );
    expect(resourcePaths).toBe(prefixes.size);
  });

  it("is what the stack's throttles and WAF rules are made from", () => {
    expect(ROUTES.map(describeRoute)).toEqual(routeList().map(describeRoute));
    expect([...HOST_ROUTE_SUFFIXES].sort()).toEqual(
      [...new Set(routeList().flatMap((route) => (route.hostSigned ? [route.path] : [])))].sort(),
    );
  });

  it("names the OAuth function's rate limits and signed routes as its configuration does", () => {
    const names = new Set(routeList().flatMap((route) => (route.rateLimit ? [route.rateLimit] : [])));
    expect([...names].sort()).toEqual([...RATE_LIMITED_ROUTES].sort());
    const signed = routeList().filter((route) => route.function === 'oauth' && route.hostSigned);
    expect(signed.map((route) => route.rateLimit).sort()).toEqual([...HOST_SIGNED_ROUTES].sort());
  });

  it('gives the host kit the path it signs notifications for', () => {
    expect(HOST_KIT_NOTIFY_PATH).toBe(routeList().find((route) => route.id === 'notify')?.path);
  });

  it('sends each path to its function in the local run, and no other path', () => {
    for (const route of routeList()) expect(functionServing(route.path), route.path).toBe(route.function);
    expect(functionServing('/api/google-oauth/other')).toBeUndefined();
    expect(functionServing('/api/')).toBeUndefined();
  });
});

describe("each function's router", () => {
  const logger = new Logger({ serviceName: 'routes-test', logLevel: 'SILENT' });
  /** No dependencies: a route the router knows fails inside its handler (500), an unknown one is 404 or 405. */
  const noDependencies = (): never => {
    throw new Error('no dependencies in the route test');
  };
  const routers: Record<RouteFunction, (request: RestRequest) => Promise<APIGatewayProxyResult>> = {
    oauth: (request) =>
      createOAuthHandler(noDependencies, logger)(
        restEvent(request),
        lambdaContext('oauth'),
      ) as Promise<APIGatewayProxyResult>,
    notify: (request) =>
      createNotifyHandler(noDependencies, logger)(
        restEvent(request),
        lambdaContext('notify'),
      ) as Promise<APIGatewayProxyResult>,
  };
  const routed = (status: number) => status !== 404 && status !== 405;

  it("answers every route of its function and none of the other's", async () => {
    for (const route of routeList()) {
      for (const fn of Object.keys(routers) as RouteFunction[]) {
        const answer = await routers[fn]({ method: route.method, path: route.path, body: '{}' });
        expect(
          routed(answer.statusCode),
          `${describeRoute(route)} asked of ${fn}: ${answer.statusCode}`,
        ).toBe(fn === route.function);
      }
    }
  });

  it('answers a path outside the table with 404', async () => {
    const answer = await routers.oauth({ method: 'GET', path: '/api/google-oauth/other' });
    expect(answer.statusCode).toBe(404);
  });
});
