import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FeedError } from '../../domain/feed-error.ts';
import { calendarTextOf } from '../../domain/feed-text.ts';
import type { FeedFetch, FeedSource, FeedValidators } from '../../ports/feed-source.ts';
import { DEFAULT_FEED_MAX_BYTES } from './http-feed-source.ts';

export interface FileFeedSourceOptions {
  /** Default 10 MB, as for HTTP. */
  maxBytes?: number;
}

/**
 * Reads a feed from a local path or `file:` URL (the preview command), with the same checks as over HTTP.
 * The file's modification time plays the part of Last-Modified.
 */
export class FileFeedSource implements FeedSource {
  private readonly maxBytes: number;

  constructor(options: FileFeedSourceOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_FEED_MAX_BYTES;
  }

  async fetch(location: string, validators: FeedValidators = {}): Promise<FeedFetch> {
    const path = filePath(location);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw unreadable(error);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new FeedError('unreadable_file', 'The feed path is not a regular file.');
      const lastModified = stats.mtime.toUTCString();
      if (validators.lastModified === lastModified) return { kind: 'not_modified' };
      if (stats.size > this.maxBytes) {
        throw new FeedError('too_large', `The feed file is larger than the limit of ${this.maxBytes} bytes.`);
      }
      const bytes = await handle.readFile().catch((error: unknown) => {
        throw unreadable(error);
      });
      return { kind: 'fetched', text: calendarTextOf(bytes), bytes: bytes.length, lastModified };
    } finally {
      await handle.close();
    }
  }
}

function filePath(location: string): string {
  if (!location.toLowerCase().startsWith('file:')) return location;
  try {
    return fileURLToPath(location);
  } catch {
    throw new FeedError('bad_location', 'The feed location is not a valid file: URL.');
  }
}

function unreadable(error: unknown): FeedError {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return new FeedError('unreadable_file', 'The feed file does not exist.');
  if (code === 'EACCES' || code === 'EPERM')
    return new FeedError('unreadable_file', 'The feed file may not be read (permission denied).');
  if (code === 'EISDIR') return new FeedError('unreadable_file', 'The feed path is a directory, not a file.');
  return new FeedError(
    'unreadable_file',
    `The feed file could not be read${typeof code === 'string' ? ` (${code})` : ''}.`,
  );
}
