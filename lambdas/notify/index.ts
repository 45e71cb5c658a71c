import type { Context } from 'aws-lambda';
import { builtOnce } from '../shared/wiring/built-once.ts';
import { serviceLogger } from '../shared/wiring/logger.ts';
import { createNotifyHandler } from './router.ts';

/** The composition (the configuration's schemas, the adapters) is loaded on the first request, not at init. */
const routes = builtOnce(async () => {
  const { notifyDependencies } = await import('./compose.ts');
  return createNotifyHandler(notifyDependencies, serviceLogger());
});

type Routes = ReturnType<typeof createNotifyHandler>;

/** Lambda entry point of change notifications from the ICS service (POST /api/google-sync/notify). */
export const handler = async (event: Parameters<Routes>[0], context: Context) =>
  (await routes())(event, context);
