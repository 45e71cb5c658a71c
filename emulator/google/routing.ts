/** What a route is: a method and path pattern, a Google method name (for counters and faults), a handler. */
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorUser } from './types.ts';

export interface Caller {
  user: EmulatorUser;
  clientId: string;
  projectId: string;
  scopes: string[];
}

export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: string;
  headers: IncomingHttpHeaders;
  /** Set on Calendar API routes (the bearer token's user and client). */
  caller?: Caller;
}

export interface Reply {
  status: number;
  json?: unknown;
  html?: string;
  location?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Named groups become params (URL-decoded). */
  path: RegExp;
  /** Google's method name: `events.insert`, `oauth2.token`, ... */
  name: string;
  /** Calendar routes need a bearer token and count against quota; OAuth routes do not. */
  kind: 'calendar' | 'oauth';
  handle(context: RequestContext): Reply;
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | 'method_not_allowed' | undefined {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.path.exec(pathname);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    try {
      for (const [name, value] of Object.entries(match.groups ?? {}))
        params[name] = decodeURIComponent(value);
    } catch {
      return undefined; // a malformed escape cannot name anything: not found
    }
    return { route, params };
  }
  return pathMatched ? 'method_not_allowed' : undefined;
}
