import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SyncResult } from '../../domain/sync-result.ts';
import type { SkipReason, SyncMetrics, WorkerErrorKind } from '../../ports/sync-metrics.ts';

/**
 * The worker's metrics as CloudWatch embedded metric format through Powertools Metrics (namespace and service
 * from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME). Counts by outcome, skip reason and error kind
 * are single metrics with that one dimension; per-run amounts are buffered and written by `flush`.
 */
export class PowertoolsSyncMetrics implements SyncMetrics {
  constructor(private readonly metrics: Metrics) {}

  runFinished(result: SyncResult, measures: { durationMs: number; feedBytes?: number }): void {
    this.count('SyncRuns', 'outcome', result.outcome);
    // Outcomes that mean trouble are errors too, by kind, next to the worker's own (a run the time budget cut
    // short is not one: it continues).
    const continued = result.outcome === 'partial' && (result.deferred ?? 0) > 0;
    if (ERROR_OUTCOMES.has(result.outcome) && !continued) this.count('SyncErrors', 'kind', result.outcome);
    const add = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) =>
      this.metrics.addMetric(name, unit, value);
    add('EventsCreated', MetricUnit.Count, result.created);
    add('EventsUpdated', MetricUnit.Count, result.updated);
    add('EventsDeleted', MetricUnit.Count, result.deleted);
    add('GoogleCalls', MetricUnit.Count, result.googleCalls);
    add('QuotaUnits', MetricUnit.Count, result.quotaUnits ?? result.googleCalls);
    add('SyncDuration', MetricUnit.Milliseconds, measures.durationMs);
    if (measures.feedBytes !== undefined) add('FeedBytes', MetricUnit.Bytes, measures.feedBytes);
  }

  skipped(reason: SkipReason): void {
    this.count('SyncSkipped', 'reason', reason);
  }

  dailyQuotaUsedUp(): void {
    // The project's, not a subscriber's: one count without a dimension of its own (an alarm can watch it).
    this.metrics.singleMetric().addMetric('GoogleDailyQuotaUsedUp', MetricUnit.Count, 1);
  }

  error(kind: WorkerErrorKind): void {
    this.count('SyncErrors', 'kind', kind);
  }

  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }

  private count(name: string, dimension: string, value: string): void {
    this.metrics.singleMetric().addDimension(dimension, value).addMetric(name, MetricUnit.Count, 1);
  }
}

const ERROR_OUTCOMES: ReadonlySet<SyncResult['outcome']> = new Set([
  'partial',
  'feed_error',
  'calendar_missing',
  'cooling_down',
  'needs_reauth',
]);
