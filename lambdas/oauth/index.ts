import type { Context } from 'aws-lambda';
import { builtOnce } from '../shared/wiring/built-once.ts';
import type { createOAuthHandler } from './router.ts';

/**
 * Everything (the routes, the configuration's schemas, the adapters, the SDK clients, Google's client libraries)
 * is loaded on the first request, not at module init: in the CommonJS bundle, what `import()` loads is only run
 * when it is called (lib/constructs/house-function.ts).
 */
const routes = builtOnce(async () => {
  const [{ createOAuthHandler }, { oauthDependencies }, { serviceLogger }] = await Promise.all([
    import('./router.ts'),
    import('./compose.ts'),
    import('../shared/wiring/logger.ts'),
  ]);
  return createOAuthHandler(oauthDependencies, serviceLogger());
});

type Routes = ReturnType<typeof createOAuthHandler>;

/** Lambda entry point of the OAuth routes (start, callback, disconnect, status, "sync now"). */
export const handler = async (event: Parameters<Routes>[0], context: Context) =>
  (await routes())(event, context);
