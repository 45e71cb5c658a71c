import type { Context } from 'aws-lambda';
import { builtOnce } from '../shared/wiring/built-once.ts';
import { serviceLogger } from '../shared/wiring/logger.ts';
import { createOAuthHandler } from './router.ts';

/**
 * The composition (the configuration's schemas, the adapters, Google's client libraries) is loaded on the first
 * request, not at module init: a request refused before it needs Google never loads Google's libraries.
 */
const routes = builtOnce(async () => {
  const { oauthDependencies } = await import('./compose.ts');
  return createOAuthHandler(oauthDependencies, serviceLogger());
});

type Routes = ReturnType<typeof createOAuthHandler>;

/** Lambda entry point of the OAuth routes (start, callback, disconnect, status, "sync now"). */
export const handler = async (event: Parameters<Routes>[0], context: Context) =>
  (await routes())(event, context);
