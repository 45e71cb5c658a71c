import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
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
  /** Every address a host name resolves to. Default: the system resolver (what fetch itself uses). */
  resolveHost?: (hostname: string) => Promise<string[]>;
}

const DEFAULT_FEED_TIMEOUT_MS = 15_000;
export const DEFAULT_FEED_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_FEED_MAX_REDIRECTS = 3;
const DEFAULT_FEED_USER_AGENT = 'Mozilla/5.0 (compatible; ics-google-sync/0.1; calendar feed reader)';

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
  private readonly resolveHost: (hostname: string) => Promise<string[]>;

  constructor(options: HttpFeedSourceOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_FEED_MAX_BYTES;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_FEED_MAX_REDIRECTS;
    this.userAgent = options.userAgent ?? DEFAULT_FEED_USER_AGENT;
    this.resolveHost = options.resolveHost ?? systemResolve;
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
    // Resolved once, at the first redirect: the template host's class is fixed for the whole read.
    let startIsPublic: Promise<boolean> | undefined;
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
        const next = httpUrl(
          new URL(target, url).href,
          'The feed server redirected to a location that is not http(s).',
        );
        startIsPublic ??= this.isPublic(start.hostname);
        await this.checkRedirect(start, next, startIsPublic);
        url = next;
        continue;
      }
      return await this.answer(response, conditional, signal);
    }
  }

  /**
   * A redirect is followed only on the origin the read started from, which is the feed template's (the feed URL
   * is the template with the token filled in): the feed server must not be able to send the reader to another
   * host, least of all the cloud's metadata address or a service on the reader's own network. And when the
   * template's host is a public one, each redirect's host must still resolve to public addresses only, so a
   * name that starts to point inwards between two hops is refused. A template on a private or loopback address
   * (the local run's feeds on 127.0.0.1) is the operator's own choice and is kept to its origin alone.
   */
  private async checkRedirect(start: URL, target: URL, startIsPublic: Promise<boolean>): Promise<void> {
    if (target.origin !== start.origin) {
      throw new FeedError(
        'bad_location',
        'The feed server redirected to another site, which is not followed.',
      );
    }
    if (!(await startIsPublic)) return;
    if (!(await this.isPublic(target.hostname))) {
      throw new FeedError(
        'bad_location',
        'The feed server redirected to a private or loopback address, which is not followed.',
      );
    }
  }

  /** Whether every address the host stands for is public (a host that does not resolve is not). */
  private async isPublic(hostname: string): Promise<boolean> {
    const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    let addresses: string[];
    try {
      addresses = isIP(bare) ? [bare] : await this.resolveHost(bare);
    } catch {
      return false;
    }
    return addresses.length > 0 && addresses.every(isPublicAddress);
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

const systemResolve = async (hostname: string): Promise<string[]> =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** Addresses no feed may be fetched from after a redirect: loopback, private, link-local and the like. */
const NON_PUBLIC = (() => {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8], // "this network"
    ['10.0.0.0', 8], // private
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8], // loopback
    ['169.254.0.0', 16], // link-local, the cloud metadata address among them
    ['172.16.0.0', 12], // private
    ['192.0.0.0', 24], // IETF protocol assignments
    ['192.168.0.0', 16], // private
    ['198.18.0.0', 15], // benchmarking
    ['224.0.0.0', 3], // multicast and reserved, broadcast included
  ] as const)
    list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of [
    ['::', 127], // unspecified and loopback
    ['64:ff9b::', 96], // NAT64, which can reach IPv4 private space
    ['fc00::', 7], // unique local
    ['fe80::', 10], // link-local
    ['ff00::', 8], // multicast
  ] as const)
    list.addSubnet(network, prefix, 'ipv6');
  return list;
})();

function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NON_PUBLIC.check(address, 'ipv4');
  // IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are judged by the IPv4 rules: BlockList does that itself.
  return family === 6 && !NON_PUBLIC.check(address, 'ipv6');
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
