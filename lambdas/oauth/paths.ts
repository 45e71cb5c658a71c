/** The OAuth function's paths (the router's, and the paths a host signature is made for). */
export const OAUTH_BASE_PATH = '/api/google-oauth';
/** "Sync now" (the same function: it authenticates feed tokens like the OAuth routes). */
export const SYNC_NOW_PATH = '/api/google-sync';
export const STATUS_PATH = `${OAUTH_BASE_PATH}/status`;
export const DISCONNECT_PATH = `${OAUTH_BASE_PATH}/disconnect`;
