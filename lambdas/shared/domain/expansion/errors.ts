/**
 * Why a series could not be expanded: always a problem of the input, never of the expansion itself. One class
 * with the time model's (a bad date-time or zone name in a series is the same failure as a bad rule).
 */
export { TimeInputError as ExpansionError } from '../time/errors.ts';
