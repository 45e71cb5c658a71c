/**
 * npm run --silent preview -- <file-or-url> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz ZONE]
 *
 * Prints, as one JSON array on stdout, the Event resources a first sync of the feed into an empty dedicated
 * calendar would write (series and single events with their ids, then exceptions with recurringEventId and
 * originalStartTime). Warnings go to stderr; exit 0. A feed that cannot be read: one line on stderr, exit 1.
 * Ids use a fixed preview salt, so they differ from a subscriber's real ids (which use their own salt).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HttpOrFileFeedSource } from '../lambdas/shared/adapters/feed/http-or-file-feed-source.ts';
import { FeedError } from '../lambdas/shared/domain/feed-error.ts';
import { defaultHorizon, mapFeed, resolveTimeZoneName } from '../lambdas/shared/domain/ics/index.ts';
import type { FeedSource } from '../lambdas/shared/ports/feed-source.ts';
import { parsePreviewArgs, USAGE, UsageError } from './preview-args.ts';

export const PREVIEW_SALT = 'preview';

export interface PreviewIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface PreviewDependencies {
  source?: FeedSource;
  now?: Date;
}

/** Runs the command; returns the exit code. Never throws and never prints a stack trace. */
export async function runPreview(
  argv: string[],
  io: PreviewIo,
  deps: PreviewDependencies = {},
): Promise<number> {
  try {
    const args = parsePreviewArgs(argv);
    const now = deps.now ?? new Date();
    const defaults = defaultHorizon(now);
    const horizon = { from: args.from ?? defaults.from, to: args.to ?? defaults.to };
    if (horizon.from >= horizon.to) throw new UsageError('the horizon is empty: --from must be before --to');
    const timeZone = args.timeZone ?? 'UTC';
    const zone = resolveTimeZoneName(timeZone, now.getUTCFullYear());
    if (!zone) throw new UsageError(`unknown time zone ${timeZone} (use an IANA name such as Europe/Berlin)`);

    const fetched = await (deps.source ?? new HttpOrFileFeedSource()).fetch(args.source);
    if (fetched.kind !== 'fetched') throw new FeedError('http_status', 'The feed answered "not modified".');
    const { events, warnings } = mapFeed(fetched.text, {
      salt: PREVIEW_SALT,
      horizon,
      defaultTimeZone: zone,
    });
    for (const warning of warnings) {
      io.stderr(`warning: ${warning.uid ? `${warning.uid}: ` : ''}${warning.reason}\n`);
    }
    io.stdout(`${JSON.stringify(events, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`preview: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof FeedError) {
      io.stderr(`preview: the feed could not be read (${error.reason}): ${error.message}\n`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`preview: unexpected error: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await runPreview(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
