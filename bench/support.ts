/** Pieces the benchmark suites share (not a suite: bench/run.ts loads only bench/suites/). */
import { Logger } from '@aws-lambda-powertools/logger';
import pLimit from 'p-limit';
import { type GoogleEmulator, SCOPES } from '../emulator/google/index.ts';
import { LocalAesGcmCipher } from '../lambdas/shared/adapters/crypto/local-cipher.ts';
import { DynamoConnectionStore } from '../lambdas/shared/adapters/dynamodb/connection-store.ts';
import type { TestDynamo } from '../test/support/dynalite.ts';

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
export const silentLogger = () => new Logger({ serviceName: 'bench', logLevel: 'SILENT' });

/** `count` single timed events of an hour in the weeks ahead, one every `everyHours`. */
export function feedOf(count: number, everyHours: number): string {
  const start = new Date();
  start.setUTCHours(0, 0, 0, 0);
  const stamp = (date: Date) => `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
  const events = Array.from({ length: count }, (_, i) => {
    const begins = new Date(start.getTime() + (i + 1) * 3_600_000 * everyHours);
    return [
      'BEGIN:VEVENT',
      `UID:event-${i}@bench.example.com`,
      `DTSTAMP:${stamp(start)}`,
      `DTSTART:${stamp(begins)}`,
      `DTEND:${stamp(new Date(begins.getTime() + 3_600_000))}`,
      `SUMMARY:Event ${i}`,
      'END:VEVENT',
    ].join('\r\n');
  });
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//bench//EN', ...events, 'END:VCALENDAR', ''].join(
    '\r\n',
  );
}

/** Keeps Powertools' EMF lines off stdout (the runner reads its figures there); returns the undo. */
export function muteEmf(): () => void {
  const original = process.stdout.write;
  process.stdout.write = function write(this: typeof process.stdout, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === 'string' && chunk.includes('"_aws"')) return true;
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
  };
}

/**
 * `count` subscribers connected as the OAuth flow leaves them, one Google account and dedicated calendar each, their
 * tokens sealed with the local cipher under `cipherKey`; subscriber `i` reads the feed token `feed-token-<i>`.
 */
export async function connectSubscribers(
  google: GoogleEmulator,
  dynamo: TestDynamo,
  options: { clientId: string; count: number; cipherKey: string },
): Promise<string[]> {
  const { clientId, count } = options;
  const store = new DynamoConnectionStore(dynamo.client, dynamo.tableNames.connections);
  const cipher = new LocalAesGcmCipher(options.cipherKey);
  const limit = pLimit(32);
  const now = new Date().toISOString();
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(async () => {
        const id = `sub-${String(i).padStart(5, '0')}`;
        const email = `${id}@bench.example.com`;
        google.control.createUser({ email });
        const tokens = google.control.mintTokens({
          user: email,
          clientId,
          scopes: [SCOPES.appCreated],
          offline: true,
        });
        const calendar = google.control.seedCalendar({ user: email, summary: 'ICS', clientId });
        await store.save(
          {
            subscriberId: id,
            status: 'connected',
            calendarId: calendar.id,
            refreshTokenCiphertext: await cipher.encrypt(tokens.refresh_token as string, {
              subscriberId: id,
              purpose: 'google_refresh_token',
            }),
            feedTokenCiphertext: await cipher.encrypt(`feed-token-${i}`, {
              subscriberId: id,
              purpose: 'feed_token',
            }),
            eventIdSalt: `salt-${id}`,
            grantedScopes: SCOPES.appCreated,
            connectedAt: now,
            updatedAt: now,
            scheduled: true,
          },
          undefined,
        );
        return id;
      }),
    ),
  );
}
