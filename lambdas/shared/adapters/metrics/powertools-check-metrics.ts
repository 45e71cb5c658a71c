import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CheckMetrics, SweepSummary } from '../../ports/check-metrics.ts';

/**
 * The check's metrics as CloudWatch embedded metric format through Powertools Metrics: one count per verdict
 * (dimension `verdict`) per sweep, whatever the number of subscribers, so the metrics cost per sweep, not per
 * check.
 */
export class PowertoolsCheckMetrics implements CheckMetrics {
  constructor(private readonly metrics: Metrics) {}

  sweepFinished(summary: SweepSummary): void {
    const verdicts: Record<string, number> = {
      unchanged: summary.unchanged,
      write: Object.values(summary.writeJobs).reduce((sum, count) => sum + (count ?? 0), 0),
      idle: Object.values(summary.idle).reduce((sum, count) => sum + (count ?? 0), 0),
      error: summary.errors,
    };
    for (const [verdict, count] of Object.entries(verdicts)) {
      if (count > 0)
        this.metrics
          .singleMetric()
          .addDimension('verdict', verdict)
          .addMetric('FeedChecks', MetricUnit.Count, count);
    }
    this.metrics.addMetric('FeedsFetched', MetricUnit.Count, summary.fetched);
    this.metrics.addMetric('SweepDuration', MetricUnit.Milliseconds, summary.durationMs);
  }

  poison(): void {
    this.metrics.singleMetric().addDimension('kind', 'poison').addMetric('CheckErrors', MetricUnit.Count, 1);
  }

  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}
