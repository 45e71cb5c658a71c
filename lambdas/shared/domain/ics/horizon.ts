import { DAY_MS } from '../time/civil.ts';

/** The span of time a sync covers. */
export interface Horizon {
  from: Date;
  to: Date;
}

/** How far a sync reaches: days back and months ahead of now. */
export interface HorizonSpan {
  pastDays: number;
  futureMonths: number;
}

export const DEFAULT_HORIZON_SPAN: HorizonSpan = { pastDays: 30, futureMonths: 24 };

/** The horizon of `span` around `now`. */
export function horizonAround(now: Date, span: HorizonSpan): Horizon {
  const to = new Date(now.getTime());
  to.setUTCMonth(to.getUTCMonth() + span.futureMonths);
  return { from: new Date(now.getTime() - span.pastDays * DAY_MS), to };
}

/** The default horizon: 30 days back, 24 months ahead of `now`. */
export function defaultHorizon(now: Date): Horizon {
  return horizonAround(now, DEFAULT_HORIZON_SPAN);
}
