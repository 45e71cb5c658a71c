import { createHash, createHmac, randomBytes } from 'node:crypto';

/** The key the demo host signs with: one entry of the service's HOST_KEYS. */
export interface HostKey {
  id: string;
  key: Buffer;
}

export type IntentAction = 'connect' | 'disconnect' | 'delete_calendar';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A connect intent, minted by the host's server for its signed-in subscriber exactly as the README's "Connect
 * intents" describes it (the host's side of the contract, not the service's code): good for 10 minutes and
 * once, bound to the action, the feed token and the return_to the form sends.
 */
export function mintIntent(
  hostKey: HostKey,
  action: IntentAction,
  feedToken: string,
  returnTo = '',
  now = new Date(),
): string {
  const payload = Buffer.from(
    JSON.stringify({
      action,
      feed: sha256Hex(feedToken),
      exp: Math.floor(now.getTime() / 1000) + 600,
      nonce: randomBytes(24).toString('base64url'),
      return_to: returnTo,
    }),
  ).toString('base64url');
  const signed = `v1.${hostKey.id}.${payload}`;
  return `${signed}.${createHmac('sha256', hostKey.key).update(signed).digest('base64url')}`;
}
