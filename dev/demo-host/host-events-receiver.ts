import { type HostEvent, memoryNonceClaims, verifyHostEvent } from '../../host-kit/index.ts';
import type { HostKey } from './host-signing.ts';

/**
 * The host's end of "Telling the host", done with the host kit's verifyHostEvent (signature, clock window,
 * single-use nonce, the event's shape): it keeps the latest event per feed so the subscription page can say what
 * the service last reported.
 */
export class HostEventsReceiver {
  private readonly latest = new Map<string, HostEvent>();
  private readonly claimNonce = memoryNonceClaims();
  private readonly keys: Record<string, Buffer>;

  constructor(
    hostKey: HostKey,
    private readonly path: string,
  ) {
    this.keys = {
      [hostKey.id]: Buffer.isBuffer(hostKey.key) ? hostKey.key : Buffer.from(hostKey.key, 'hex'),
    };
  }

  /** Answers the HTTP status for the request: 204 when taken. */
  async receive(headers: (name: string) => string | undefined, body: Buffer): Promise<number> {
    const result = await verifyHostEvent(
      { path: this.path, header: headers, body },
      { keys: this.keys, claimNonce: this.claimNonce },
    );
    if (!result.ok) return result.status;
    this.latest.set(result.event.feed, result.event);
    return 204;
  }

  /** The last event the service sent about the feed with this SHA-256, if any. */
  latestFor(feedSha256: string): HostEvent | undefined {
    return this.latest.get(feedSha256);
  }
}
