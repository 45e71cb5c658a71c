import type { Logger } from '@aws-lambda-powertools/logger';
import type { HostEvent, HostEvents } from '../../ports/host-events.ts';
import type { HostKeyRing } from '../../ports/host-keys.ts';
import { hostSignatureHeaders } from './host-signature.ts';

export interface SignedHostEventsOptions {
  /** The host's endpoint (HOST_EVENTS_URL). */
  url: string;
  /** The id of the host key that signs (HOST_EVENTS_KEY_ID); the key comes from the host key ring. */
  keyId: string;
  keys: HostKeyRing;
  logger: Pick<Logger, 'warn'>;
  /** Tries in all (default 3). */
  attempts?: number;
  /** Pause before the second try, doubled for each further one (default 250 ms). */
  backoffMs?: number;
  /** Per try (default 2 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * POSTs each event to the host as JSON, signed the way the host signs its own requests to this service (the
 * same four `X-Signature-*` headers and canonical request, with the URL's path), so the host checks it with the
 * code it already has for the other direction. A few tries with a doubling pause, each with a fresh timestamp
 * and nonce, on no answer, 408, 429 or 5xx; any other answer is final. The total stays bounded (by default
 * under 7 s), because it runs inside the request of the user whose connection changed, and whatever happens
 * the caller goes on: only a log line says an event was lost.
 */
export class SignedHostEvents implements HostEvents {
  private readonly path: string;

  constructor(private readonly options: SignedHostEventsOptions) {
    this.path = new URL(options.url).pathname;
  }

  async notify(event: HostEvent): Promise<void> {
    const { attempts = 3, backoffMs = 250, timeoutMs = 2_000 } = this.options;
    const sleep = this.options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const body = JSON.stringify(event);
    let last = 'not sent';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
      try {
        const key = await this.options.keys.keyFor(this.options.keyId);
        if (!key) {
          last = 'the signing key is not in the host key ring';
          break;
        }
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...hostSignatureHeaders(this.options.keyId, key, { method: 'POST', path: this.path, body }),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return;
        last = `HTTP ${response.status}`;
        if (!(response.status === 408 || response.status === 429 || response.status >= 500)) break;
      } catch (error) {
        last = error instanceof Error ? error.name : 'failed';
      }
    }
    this.options.logger.warn('host not told of a connection event', { event: event.event, reason: last });
  }
}
