import { oauthDependencies, serviceLogger } from '../shared/composition.ts';
import { createOAuthHandler } from './router.ts';

/** Lambda entry point of the OAuth routes (start, callback, disconnect, status). */
export const handler = createOAuthHandler(oauthDependencies, serviceLogger());
