export {
  type BreakerDecision,
  type BreakerInput,
  type BreakerPolicy,
  DEFAULT_BREAKER_POLICY,
  decideBreaker,
  type HeldDeletion,
} from './breaker.ts';
export { endOfEvent } from './ends.ts';
export { isException, type OwnedFields, ownedFields } from './owned-fields.ts';
export * from './plan.ts';
export { type Duration, seriesDuration, shiftBy, startFromBasic } from './times.ts';
