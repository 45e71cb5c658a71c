import { API_ROUTES } from '../../shared/routes.ts';

/** The paths a host signature is made for on the OAuth function's signed routes, from the route table. */
export const SYNC_NOW_PATH = API_ROUTES.syncNow.path;
export const STATUS_PATH = API_ROUTES.status.path;
export const DISCONNECT_PATH = API_ROUTES.disconnect.path;
