/**
 * Why a time value, a zone name or a recurrence line could not be read: always a problem of the input, never of
 * the code reading it (Google refuses the same input). The expansion exports it as ExpansionError.
 */
export type TimeInputErrorReason = 'bad_recurrence' | 'bad_date_time' | 'unknown_time_zone';

export class TimeInputError extends Error {
  override readonly name = 'TimeInputError';
  readonly reason: TimeInputErrorReason;

  constructor(reason: TimeInputErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
