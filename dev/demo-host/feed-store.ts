import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isWellFormedFeedToken } from '../../lambdas/oauth/rules/feed-token.ts';
import { DEMO_FEED_TOKEN, demoFeed } from './demo-feed.ts';

export interface DemoFeed {
  text: string;
  /** Strong validator of the text (a conditional GET of an unchanged feed answers 304). */
  etag: string;
  lastModified: Date;
}

/**
 * The demo host's feeds, one file per token in the data folder (`<token>.ics`), so an edited feed outlives a
 * restart. The demo token's feed is written on first start. Tokens are the service's (8-256 of
 * `A-Z a-z 0-9 . _ ~ -`), so a token is also a safe file name.
 */
export class DemoFeedStore {
  private readonly feeds = new Map<string, DemoFeed>();

  constructor(
    private readonly folder: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(folder, { recursive: true });
    for (const name of readdirSync(folder)) {
      const token = name.replace(/\.ics$/, '');
      if (name.endsWith('.ics') && isWellFormedFeedToken(token)) {
        const file = path.join(folder, name);
        this.feeds.set(token, feedOf(readFileSync(file, 'utf8'), statSync(file).mtime));
      }
    }
    if (!this.feeds.has(DEMO_FEED_TOKEN)) this.put(DEMO_FEED_TOKEN, demoFeed(this.now()));
  }

  get(token: string): DemoFeed | undefined {
    return this.feeds.get(token);
  }

  /** Replaces (or creates) a feed; answers whether it existed before. */
  put(token: string, text: string): { created: boolean } {
    if (!isWellFormedFeedToken(token)) throw new Error('not a feed token');
    const created = !this.feeds.has(token);
    writeFileSync(this.fileOf(token), text);
    this.feeds.set(token, feedOf(text, this.now()));
    return { created };
  }

  /** Removes a feed: its URL answers 404 from now on (the ICS service revoked the token). */
  delete(token: string): boolean {
    if (!this.feeds.delete(token)) return false;
    const file = this.fileOf(token);
    if (existsSync(file)) rmSync(file);
    return true;
  }

  private fileOf(token: string): string {
    return path.join(this.folder, `${token}.ics`);
  }
}

function feedOf(text: string, lastModified: Date): DemoFeed {
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
  return { text, etag, lastModified: new Date(Math.floor(lastModified.getTime() / 1000) * 1000) };
}
