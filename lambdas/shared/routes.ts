/**
 * The public API's routes, in one table: the routers answer them, the stack makes them API Gateway resources
 * and methods (with their throttles and WAF rules), and the local run sends them to their function.
 * test/stack/routes.test.ts checks that the synthesized API and the routers agree with it. Plain data only: every
 * function bundle may import it.
 */

/** The Lambda functions behind the API. */
export type RouteFunction = 'oauth' | 'notify';

/** The OAuth function's own rate limits (per IP and per subscriber), by name: one name may cover two routes. */
type RateLimitName = 'start' | 'callback' | 'status' | 'disconnect' | 'sync';

export interface ApiRoute {
  method: 'GET' | 'POST';
  path: string;
  function: RouteFunction;
  /**
   * Called by the host's servers with their signature (`X-Signature`, docs/operating.md "Signed requests from the host"):
   * the function checks it, and the WAF lets signed requests to these paths through at a higher rate.
   */
  hostSigned: boolean;
  /** The function's own rate limit for the route (notify limits per host key instead). */
  rateLimit?: RateLimitName;
}

export const API_ROUTES = {
  /** The subscription page's "connect" link: shows the consent step, never goes to Google by itself. */
  startFromQuery: {
    method: 'GET',
    path: '/api/google-oauth/start',
    function: 'oauth',
    hostSigned: false,
    rateLimit: 'start',
  },
  /** The consent step's form: on to Google's consent page. */
  startFromForm: {
    method: 'POST',
    path: '/api/google-oauth/start',
    function: 'oauth',
    hostSigned: false,
    rateLimit: 'start',
  },
  /** Google's redirect back after consent. */
  callback: {
    method: 'GET',
    path: '/api/google-oauth/callback',
    function: 'oauth',
    hostSigned: false,
    rateLimit: 'callback',
  },
  disconnect: {
    method: 'POST',
    path: '/api/google-oauth/disconnect',
    function: 'oauth',
    hostSigned: true,
    rateLimit: 'disconnect',
  },
  status: {
    method: 'GET',
    path: '/api/google-oauth/status',
    function: 'oauth',
    hostSigned: true,
    rateLimit: 'status',
  },
  /** "Sync now": the OAuth function, which authenticates feed tokens like the OAuth routes. */
  syncNow: {
    method: 'POST',
    path: '/api/google-sync',
    function: 'oauth',
    hostSigned: true,
    rateLimit: 'sync',
  },
  /** The host's change notifications. */
  notify: { method: 'POST', path: '/api/google-sync/notify', function: 'notify', hostSigned: true },
} as const satisfies Record<string, ApiRoute>;

export type RouteId = keyof typeof API_ROUTES;

/** The ids of the routes one function answers. */
export type RouteIdOf<Function extends RouteFunction> = {
  [Id in RouteId]: (typeof API_ROUTES)[Id]['function'] extends Function ? Id : never;
}[RouteId];

/** Every route, in the table's order, with its id. */
export const routeList = (): (ApiRoute & { id: RouteId })[] =>
  (Object.keys(API_ROUTES) as RouteId[]).map((id) => ({ id, ...API_ROUTES[id] }));

/**
 * A function's routes for its router, each with the handler given for it: a handler for every route of the
 * function is required, so a route added to the table is a compile error in its router until it is answered.
 */
export function routerEntries<Function extends RouteFunction, Handler>(
  fn: Function,
  handlers: Record<RouteIdOf<Function>, Handler>,
): { method: ApiRoute['method']; path: string; handler: Handler }[] {
  return routeList()
    .filter((route) => route.function === fn)
    .map((route) => ({
      method: route.method,
      path: route.path,
      handler: handlers[route.id as RouteIdOf<Function>],
    }));
}

/** The function that serves a path, if any (by path only: its router answers a method it does not take). */
export const functionServing = (path: string): RouteFunction | undefined =>
  routeList().find((route) => route.path === path)?.function;
