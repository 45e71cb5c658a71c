import type { Context } from 'aws-lambda';
import { builtOnce } from '../shared/wiring/built-once.ts';
import type { createNotifyHandler } from './router.ts';

/** The composition (the configuration's schemas, the adapters) is loaded on the first request, not at init. */
const routes = builtOnce(async () => {
  const [{ createNotifyHandler }, { notifyDependencies }, { serviceLogger }] = await Promise.all([
    import('./router.ts'),
    import('./compose.ts'),
    import('../shared/wiring/logger.ts'),
  ]);
  return createNotifyHandler(notifyDependencies, serviceLogger());
});

type Routes = ReturnType<typeof createNotifyHandler>;

/** Lambda entry point of change notifications from the ICS service (POST /api/google-sync/notify). */
export const handler = async (event: Parameters<Routes>[0], context: Context) =>
  (await routes())(event, context);
