import { type HostKey, type IntentAction, mintIntent as mintWithKit } from '../../host-kit/index.ts';

/**
 * The demo host signs with the host kit (host-kit/index.ts), as any Node host may: nothing of its own. This is
 * only the kit's mintIntent in the shape the demo's pages call it.
 */
export { type HostKey, type IntentAction, sha256Hex } from '../../host-kit/index.ts';

/** A connect intent for the demo subscriber: good for 10 minutes and once, bound to action, feed and return_to. */
export const mintIntent = (
  hostKey: HostKey,
  action: IntentAction,
  feedToken: string,
  returnTo = '',
  now = new Date(),
): string => mintWithKit(hostKey, { action, feedToken, returnTo, now });
