import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The ICS service: serves `/ics/<token>.ics` from one feed text per token, 404 for any other token. */
export class TokenFeedServer {
  readonly feeds = new Map<string, string>();
  /** Requests answered so far (any token). */
  requests = 0;
  private server: Server | undefined;
  /** Where this process reaches it (`http://127.0.0.1:<port>`, whatever address it listens on). */
  url = '';
  port = 0;

  /**
   * Listens on 127.0.0.1 by default; `host: '0.0.0.0'` lets containers reach it too (the LocalStack suite's
   * Lambda functions read feeds through the Docker host).
   */
  async start(options: { host?: string } = {}): Promise<void> {
    const server = createServer((request, response) => {
      this.requests++;
      const token = /^\/ics\/([^/]+)\.ics$/.exec(request.url ?? '')?.[1];
      const text = token ? this.feeds.get(decodeURIComponent(token)) : undefined;
      if (text === undefined) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': 'text/calendar' }).end(text);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve(); // never started (a setup that failed early)
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
