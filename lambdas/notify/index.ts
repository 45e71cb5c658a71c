import { notifyDependencies, serviceLogger } from '../shared/composition.ts';
import { createNotifyHandler } from './router.ts';

/** Lambda entry point of change notifications from the ICS service (POST /api/google-sync/notify). */
export const handler = createNotifyHandler(notifyDependencies, serviceLogger());
