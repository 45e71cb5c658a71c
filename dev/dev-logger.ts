import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

/** Where the local run's log lines go (stdout by default; tests collect them). */
export type LogSink = (line: string) => void;

const writeStdout: LogSink = (line) => process.stdout.write(`${line}\n`);

/** Lambda context keys Powertools adds to every line: noise on a terminal. */
const DROPPED = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

/**
 * The service's Powertools Logger, printing one short line per entry instead of a JSON document:
 * `12:00:03 INFO  sync-worker: sync finished {"subscriberId":"…","created":14}`. The entries are exactly the
 * service's own (the same keys; never a token), only the layout differs.
 */
export class DevLogger extends Logger {
  constructor(
    serviceName: string,
    logLevel: string | undefined,
    private readonly sink: LogSink = writeStdout,
  ) {
    super({ serviceName, logLevel: (logLevel?.trim().toUpperCase() || 'INFO') as 'INFO' });
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    const attributes = log.getAttributes() as Record<string, unknown>;
    const extra = Object.fromEntries(Object.entries(attributes).filter(([key]) => !DROPPED.has(key)));
    const time = new Date().toTimeString().slice(0, 8);
    const level = String(attributes.level ?? '').padEnd(5);
    const details = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
    this.sink(`${time} ${level} ${String(attributes.service)}: ${String(attributes.message)}${details}`);
  }
}
