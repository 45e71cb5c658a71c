import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The ICS service: serves `/ics/<token>.ics` from one feed text per token, 404 for any other token. */
export class TokenFeedServer {
  readonly feeds = new Map<string, string>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const token = /^\/ics\/([^/]+)\.ics$/.exec(request.url ?? '')?.[1];
      const text = token ? this.feeds.get(decodeURIComponent(token)) : undefined;
      if (text === undefined) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': 'text/calendar' }).end(text);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}
