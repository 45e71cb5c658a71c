/** Command line of the preview tool: `<file-or-url> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz ZONE]`. */

export interface PreviewArgs {
  source: string;
  from?: Date;
  to?: Date;
  timeZone?: string;
}

export const USAGE = 'usage: preview <file-or-url> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz ZONE]';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseDay(flag: string, value: string | undefined): Date {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`${flag} needs a date as YYYY-MM-DD`);
  }
  const date = new Date(`${value}T00:00:00Z`);
  if (date.toISOString().slice(0, 10) !== value)
    throw new UsageError(`${flag}: ${value} is not a calendar date`);
  return date;
}

export function parsePreviewArgs(argv: string[]): PreviewArgs {
  let source: string | undefined;
  const args: Omit<PreviewArgs, 'source'> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--from') args.from = parseDay(arg, argv[++i]);
    else if (arg === '--to') args.to = parseDay(arg, argv[++i]);
    else if (arg === '--tz') {
      const zone = argv[++i];
      if (!zone) throw new UsageError('--tz needs a time zone name');
      args.timeZone = zone;
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else if (source === undefined) source = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  if (!source) throw new UsageError('a file or URL is needed');
  if (args.from && args.to && args.from >= args.to) throw new UsageError('--from must be before --to');
  return { source, ...args };
}
