/** Why a series could not be expanded: always a problem of the input, never of the expansion itself. */
export type ExpansionErrorReason = 'bad_recurrence' | 'bad_date_time' | 'unknown_time_zone';

export class ExpansionError extends Error {
  override readonly name = 'ExpansionError';
  readonly reason: ExpansionErrorReason;

  constructor(reason: ExpansionErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
