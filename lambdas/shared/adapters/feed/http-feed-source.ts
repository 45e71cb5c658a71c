import { FeedError } from '../../domain/feed-error.ts';
import { calendarTextOf } from '../../domain/feed-text.ts';
import type { FeedFetch, FeedSource, FeedValidators } from '../../ports/feed-source.ts';

export interface HttpFeedSourceOptions {
  /** For the whole read, body included. Default 15 s. */
  timeoutMs?: number;
  /** Cap on the (decompressed) body. Default 10 MB. */
  maxBytes?: number;
  /** Default 3. */
  maxRedirects?: number;
  /** Some servers (Outlook/Office 365 among them) answer unknown or empty user agents with errors. */
  userAgent?: string;
}

export const DEFAULT_FEED_TIMEOUT_MS = 15_000;
export const DEFAULT_FEED_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_FEED_MAX_REDIRECTS = 3;
export const DEFAULT_FEED_USER_AGENT = 'Mozilla/5.0 (compatible; ics-google-sync/0.1; calendar feed reader)';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const megabytes = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Reads a feed over HTTP(S) with Node's fetch: conditional GET, redirects followed by hand (so each target is
 * checked and counted), one time-out over headers and body, and a size cap enforced while the body streams.
 * Every failure is a FeedError whose message leaves the URL out.
 */
export class HttpFeedSource implements FeedSource {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxRedirects: number;
  private readonly userAgent: string;

  constructor(options: HttpFeedSourceOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_FEED_MAX_BYTES;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_FEED_MAX_REDIRECTS;
    this.userAgent = options.userAgent ?? DEFAULT_FEED_USER_AGENT;
  }

  async fetch(location: string, validators: FeedValidators = {}): Promise<FeedFetch> {
    const url = httpUrl(location, 'The feed location is not an http(s) URL.');
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      return await this.read(url, validators, abort.signal);
    } catch (error) {
      if (error instanceof FeedError) throw error;
      if (abort.signal.aborted) {
        throw new FeedError(
          'timeout',
          `The feed server did not send the whole feed within ${this.timeoutMs} ms.`,
        );
      }
      throw new FeedError('network', `The feed server could not be reached${networkCode(error)}.`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(start: URL, validators: FeedValidators, signal: AbortSignal): Promise<FeedFetch> {
    const headers: Record<string, string> = {
      accept: 'text/calendar, */*;q=0.5',
      'user-agent': this.userAgent,
    };
    if (validators.etag) headers['if-none-match'] = validators.etag;
    if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
    const conditional = Boolean(validators.etag || validators.lastModified);

    let url = start;
    for (let redirects = 0; ; redirects++) {
      const response = await fetch(url, { redirect: 'manual', signal, headers });
      if (REDIRECT_STATUSES.has(response.status)) {
        await response.body?.cancel();
        if (redirects >= this.maxRedirects) {
          throw new FeedError(
            'too_many_redirects',
            `The feed server redirected more than ${this.maxRedirects} times.`,
          );
        }
        const target = response.headers.get('location');
        if (!target) {
          throw new FeedError(
            'http_status',
            `The feed server sent a redirect (${response.status}) without a target.`,
            response.status,
          );
        }
        url = httpUrl(
          new URL(target, url).href,
          'The feed server redirected to a location that is not http(s).',
        );
        continue;
      }
      return await this.answer(response, conditional, signal);
    }
  }

  private async answer(response: Response, conditional: boolean, signal: AbortSignal): Promise<FeedFetch> {
    const { status } = response;
    if (status === 304 && conditional) {
      await response.body?.cancel();
      return { kind: 'not_modified' };
    }
    if (status === 206) {
      await response.body?.cancel();
      throw new FeedError(
        'partial_content',
        'The feed server sent only part of the feed (HTTP 206).',
        status,
      );
    }
    if (status < 200 || status > 299) {
      await response.body?.cancel();
      throw new FeedError(
        'http_status',
        `The feed server answered HTTP ${status}${statusHint(status)}.`,
        status,
      );
    }
    const declaredLength = Number(response.headers.get('content-length'));
    if (declaredLength > this.maxBytes) {
      await response.body?.cancel();
      throw this.tooLarge();
    }
    const bytes = await this.readBody(response, signal);
    const text = calendarTextOf(bytes, response.headers.get('content-type') ?? undefined);
    const fetched: FeedFetch = { kind: 'fetched', text, bytes: bytes.length };
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (etag) fetched.etag = etag;
    if (lastModified) fetched.lastModified = lastModified;
    return fetched;
  }

  /** The body, counted as it streams in, so an endless or huge answer stops at the cap. */
  private async readBody(response: Response, signal: AbortSignal): Promise<Uint8Array> {
    if (!response.body) return new Uint8Array(0);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (signal.aborted) {
        await reader.cancel().catch(() => undefined);
        throw signal.reason;
      }
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > this.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw this.tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks, total);
  }

  private tooLarge(): FeedError {
    return new FeedError('too_large', `The feed is larger than the limit of ${megabytes(this.maxBytes)}.`);
  }
}

function httpUrl(location: string, refusal: string): URL {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new FeedError('bad_location', refusal);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FeedError('bad_location', refusal);
  return url;
}

function statusHint(status: number): string {
  if (status === 401 || status === 403) return ' (access refused: the feed link may have been revoked)';
  if (status === 404 || status === 410) return ' (no feed at this address any more)';
  if (status === 429) return ' (too many requests)';
  if (status >= 500) return ' (a server error)';
  return '';
}

/** A system error code (ECONNREFUSED, ENOTFOUND, ...) is safe to show; error messages may hold the URL. */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = cause?.code ?? (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? ` (${code})` : '';
}
