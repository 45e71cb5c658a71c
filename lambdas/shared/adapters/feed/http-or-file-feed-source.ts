import type { FeedFetch, FeedSource, FeedValidators } from '../../ports/feed-source.ts';
import { FileFeedSource } from './file-feed-source.ts';
import { HttpFeedSource, type HttpFeedSourceOptions } from './http-feed-source.ts';

/**
 * For the preview command: a path or a `file:` URL goes to FileFeedSource, any other URL to HttpFeedSource
 * (which refuses what is not http or https). The sync itself uses HttpFeedSource alone, so a feed location can never reach the disk.
 */
export class HttpOrFileFeedSource implements FeedSource {
  private readonly http: HttpFeedSource;
  private readonly file: FileFeedSource;

  constructor(options: HttpFeedSourceOptions = {}) {
    this.http = new HttpFeedSource(options);
    this.file = new FileFeedSource(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  }

  fetch(location: string, validators?: FeedValidators): Promise<FeedFetch> {
    const isUrl = /^[a-z][a-z0-9+.-]+:\/\//i.test(location) && !/^file:/i.test(location);
    return isUrl ? this.http.fetch(location, validators) : this.file.fetch(location, validators);
  }
}
