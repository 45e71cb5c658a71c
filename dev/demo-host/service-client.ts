import { signNotify, signRequest } from '../../host-kit/index.ts';
import { DISCONNECT_PATH, STATUS_PATH, SYNC_NOW_PATH } from '../../lambdas/oauth/rules/paths.ts';
import type { ConnectionStatusView } from '../../lambdas/oauth/use-cases/connection-status.ts';
import type { DisconnectOutcome } from '../../lambdas/oauth/use-cases/disconnect.ts';
import { type HostKey, mintIntent } from './host-signing.ts';

/** The service's answer: its JSON on success, its `{error, message}` refusal otherwise. */
export type Answer<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; error: string; message: string; retryAfterSeconds?: number };

/**
 * The demo host's server talking to the service over HTTP, as a real ICS service's backend does: every call
 * signed with the host key (docs/operating.md, "Signed requests from the host"), so it counts against the host's own
 * limits and never against its address; the feed token as bearer token for status, "sync now" and disconnect
 * (with a disconnect intent), and change notifications naming feeds by digest.
 */
export class ServiceClient {
  constructor(
    private readonly baseUrl: string,
    private readonly hostKey: HostKey,
  ) {}

  status(feedToken: string): Promise<Answer<ConnectionStatusView>> {
    return this.call('GET', STATUS_PATH, { authorization: `Bearer ${feedToken}` });
  }

  syncNow(feedToken: string): Promise<Answer<{ queued: true }>> {
    return this.call('POST', SYNC_NOW_PATH, { authorization: `Bearer ${feedToken}` });
  }

  disconnect(feedToken: string, deleteCalendar: boolean): Promise<Answer<DisconnectOutcome>> {
    const intent = mintIntent(this.hostKey, deleteCalendar ? 'delete_calendar' : 'disconnect', feedToken);
    return this.call(
      'POST',
      DISCONNECT_PATH,
      { authorization: `Bearer ${feedToken}`, 'content-type': 'application/json' },
      JSON.stringify({ intent, deleteCalendar }),
    );
  }

  /** "These feeds changed": the signed change notification (docs/operating.md, "Sync now and change notifications"). */
  notifyChanged(
    feedTokens: string[],
  ): Promise<Answer<{ accepted: true; received: number; distinct: number }>> {
    const { body, path, headers } = signNotify(this.hostKey, { feedTokens });
    return this.call('POST', path, { 'content-type': 'application/json' }, body, headers);
  }

  private async call<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
    signed?: Record<string, string>,
  ): Promise<Answer<T>> {
    // Signed over the route's own path and the exact body bytes sent (none: the digest of zero bytes).
    const signature = signed ?? signRequest(this.hostKey, { method, path, body: body ?? '' }).headers;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { ...headers, ...signature },
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(20_000),
      });
    } catch {
      return { ok: false, status: 0, error: 'unreachable', message: 'The service could not be reached.' };
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) return { ok: true, status: response.status, body: json as T };
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      ok: false,
      status: response.status,
      error: typeof json.error === 'string' ? json.error : `http_${response.status}`,
      message: typeof json.message === 'string' ? json.message : `The service answered ${response.status}.`,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    };
  }
}
