import { verifyHostSignature } from '../../lambdas/shared/adapters/http/host-signature.ts';
import { HttpRefusal } from '../../lambdas/shared/adapters/http/refusal.ts';
import { StaticHostKeyRing } from '../../lambdas/shared/adapters/secrets/host-keys.ts';
import type { HostEvent } from '../../lambdas/shared/ports/host-events.ts';
import type { HostKey } from './host-signing.ts';

/**
 * The host's end of "Telling the host": checks the signature of each event the service POSTs (the same four
 * headers the host signs its own requests with), refuses a nonce seen before, and keeps the latest event per
 * feed so the subscription page can say what the service last reported.
 */
export class HostEventsReceiver {
  private readonly latest = new Map<string, HostEvent>();
  private readonly nonces = new Map<string, number>();
  private readonly keys: StaticHostKeyRing;

  constructor(
    hostKey: HostKey,
    private readonly path: string,
  ) {
    this.keys = new StaticHostKeyRing(new Map([[hostKey.id, hostKey.key]]));
  }

  /** Answers the HTTP status for the request: 204 when taken. */
  async receive(headers: (name: string) => string | undefined, body: Buffer): Promise<number> {
    const now = new Date();
    try {
      const { nonce } = await verifyHostSignature(
        this.keys,
        { method: 'POST', path: this.path, header: headers, body },
        now,
      );
      this.forgetOldNonces(now.getTime());
      if (this.nonces.has(nonce)) return 409;
      this.nonces.set(nonce, now.getTime());
    } catch (error) {
      if (error instanceof HttpRefusal) return error.statusCode;
      throw error;
    }
    const event = parseEvent(body);
    if (!event) return 400;
    this.latest.set(event.feed, event);
    return 204;
  }

  /** The last event the service sent about the feed with this SHA-256, if any. */
  latestFor(feedSha256: string): HostEvent | undefined {
    return this.latest.get(feedSha256);
  }

  private forgetOldNonces(nowMs: number): void {
    for (const [nonce, seenAt] of this.nonces) if (nowMs - seenAt > 11 * 60_000) this.nonces.delete(nonce);
  }
}

function parseEvent(body: Buffer): HostEvent | undefined {
  try {
    const json = JSON.parse(body.toString('utf8')) as Partial<HostEvent>;
    if (typeof json.event !== 'string' || typeof json.feed !== 'string' || typeof json.at !== 'string')
      return undefined;
    return json as HostEvent;
  } catch {
    return undefined;
  }
}
