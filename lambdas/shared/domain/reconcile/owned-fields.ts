import type { EventDateTime, GoogleEvent, SourceProperties } from '../google-event.ts';
import { timeKey } from './times.ts';

/**
 * The fields the service owns in a Google event, and only those: a write of them leaves reminders, colours and
 * anything else a user set in Google as it was. A field left undefined here is one the feed does not set, so a
 * patch clears it.
 */
export interface OwnedFields {
  summary?: string;
  description?: string;
  location?: string;
  start: EventDateTime;
  end: EventDateTime;
  /** Series and single events only (undefined on instances, which cannot carry recurrence lines). */
  recurrence?: string[];
  /** Always set: `confirmed` is what brings back an event that was deleted (cancelled) in Google. */
  status: 'confirmed' | 'tentative' | 'cancelled';
  transparency?: 'opaque' | 'transparent';
  visibility?: 'default' | 'public' | 'private' | 'confidential';
  /** The service's keys only; Google merges private properties key by key, so keys others added survive. */
  extendedProperties: { private: Record<string, string> };
}

export const isException = (event: GoogleEvent): boolean => event.recurringEventId !== undefined;

export function ownedFields(event: GoogleEvent): OwnedFields {
  const fields: OwnedFields = {
    start: event.start,
    end: event.end,
    status: event.status ?? 'confirmed',
    extendedProperties: { private: { ...event.extendedProperties.private } },
  };
  if (event.summary !== undefined) fields.summary = event.summary;
  if (event.description !== undefined) fields.description = event.description;
  if (event.location !== undefined) fields.location = event.location;
  if (event.transparency !== undefined) fields.transparency = event.transparency;
  if (event.visibility !== undefined) fields.visibility = event.visibility;
  if (!isException(event) && event.recurrence?.length) fields.recurrence = [...event.recurrence];
  return fields;
}

/** The private properties the service writes (SourceProperties); any other key is someone else's and is kept. */
const SERVICE_PRIVATE_KEYS: readonly (keyof SourceProperties)[] = [
  'icsUid',
  'icsHash',
  'icsRecurrenceId',
  'icsSplitFrom',
];

/** Owned fields the feed may leave out: an update without them clears them, as a patch with `null` did. */
const OPTIONAL_OWNED = ['summary', 'description', 'location', 'transparency', 'visibility'] as const;

/**
 * The body of an `events.update` that writes the owned fields into an event as Google answered it: everything
 * else on the event (reminders, colour, attendees a user added, other private and shared properties) is carried
 * over unchanged, as a patch would leave it. Start and end are replaced whole, so an event that turns all-day or
 * timed keeps no field of the other kind. An instance never carries recurrence lines.
 */
export function withOwnedFields(
  current: Readonly<Record<string, unknown>>,
  fields: OwnedFields,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...current };
  for (const name of OPTIONAL_OWNED) {
    if (fields[name] === undefined) delete body[name];
    else body[name] = fields[name];
  }
  body.start = { ...fields.start };
  body.end = { ...fields.end };
  body.status = fields.status;
  const isInstance = current.recurringEventId !== undefined;
  if (fields.recurrence && !isInstance) body.recurrence = [...fields.recurrence];
  else delete body.recurrence;
  const properties = (current.extendedProperties ?? {}) as { private?: Record<string, string> };
  const others = { ...properties.private };
  for (const key of SERVICE_PRIVATE_KEYS) delete others[key];
  body.extendedProperties = { ...properties, private: { ...others, ...fields.extendedProperties.private } };
  return body;
}

const startOrEndKey = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const time = value as { date?: unknown; dateTime?: unknown; timeZone?: unknown };
  if (typeof time.date === 'string') return timeKey({ date: time.date });
  if (typeof time.dateTime !== 'string') return undefined;
  return timeKey(
    typeof time.timeZone === 'string'
      ? { dateTime: time.dateTime, timeZone: time.timeZone }
      : { dateTime: time.dateTime },
  );
};

/**
 * Whether an event as Google answered it already shows the owned fields: the same texts, status, transparency,
 * visibility, and start and end at the same instants (or dates). Two cancelled events show the same: nothing.
 */
export function showsOwnedFields(resource: Readonly<Record<string, unknown>>, fields: OwnedFields): boolean {
  if (resource.status === 'cancelled' || fields.status === 'cancelled')
    return resource.status === fields.status;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return (
    resource.status === fields.status &&
    text(resource.summary) === fields.summary &&
    text(resource.description) === fields.description &&
    text(resource.location) === fields.location &&
    (text(resource.transparency) ?? 'opaque') === (fields.transparency ?? 'opaque') &&
    (text(resource.visibility) ?? 'default') === (fields.visibility ?? 'default') &&
    startOrEndKey(resource.start) === startOrEndKey(fields.start) &&
    startOrEndKey(resource.end) === startOrEndKey(fields.end)
  );
}
