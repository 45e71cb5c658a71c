import type { GoogleEvent, SourceProperties } from '../google-event.ts';
import { timeKey } from './times.ts';

/**
 * How the service treats one field of the Event resource it models (GoogleEvent):
 * - `owned`: the service's, written by every insert and update and compared by the audit. `optional` ones are
 *   cleared when the feed leaves them out (an unset one reads as `unsetMeans` when compared, an empty text as
 *   unset); `always` ones are written on every event (compared as values, or as the `instant` they name);
 *   `series-only` is written on series and single events only (instances cannot carry it) and compared by the
 *   audit on its own; `service-keys` holds the service's keys beside anyone else's, merged key by key.
 * - `user`: left to the user (reminders, colour, attendees, if the model ever holds one): never written, carried
 *   over by every update as Google holds it.
 * - `google`: Google's own, or fixed when the event is made: read, never written by an update.
 */
export type FieldRole =
  | { role: 'owned'; write: 'optional'; unsetMeans?: string }
  | { role: 'owned'; write: 'always'; compare: 'value' | 'instant' }
  | { role: 'owned'; write: 'series-only' }
  | { role: 'owned'; write: 'service-keys' }
  | { role: 'user' }
  | { role: 'google' };

/**
 * Every field of GoogleEvent, classified: a field added to GoogleEvent is a compile error here until it is given a
 * role, and the lists, the OwnedFields type, the update body and the comparison below all follow from it.
 */
export const EVENT_FIELDS = {
  /** Chosen by the service when it inserts a series or single event (Google names instances); never changes. */
  id: { role: 'google' },
  /** Always written: `confirmed` is what brings back an event that was deleted (cancelled) in Google. */
  status: { role: 'owned', write: 'always', compare: 'value' },
  summary: { role: 'owned', write: 'optional' },
  description: { role: 'owned', write: 'optional' },
  location: { role: 'owned', write: 'optional' },
  transparency: { role: 'owned', write: 'optional', unsetMeans: 'opaque' },
  visibility: { role: 'owned', write: 'optional', unsetMeans: 'default' },
  /** Replaced whole, so an event that turns all-day or timed keeps no field of the other kind. */
  start: { role: 'owned', write: 'always', compare: 'instant' },
  end: { role: 'owned', write: 'always', compare: 'instant' },
  /** Compared by the audit as a set of lines ("delete this and following" in Google's UI adds an UNTIL). */
  recurrence: { role: 'owned', write: 'series-only' },
  recurringEventId: { role: 'google' },
  /** Immutable in Google. */
  originalStartTime: { role: 'google' },
  /** The service's keys only (SourceProperties); Google merges private properties key by key. */
  extendedProperties: { role: 'owned', write: 'service-keys' },
} as const satisfies Record<keyof GoogleEvent, FieldRole>;

type EventFields = typeof EVENT_FIELDS;
/** The names of the fields whose rule has the given shape. */
type FieldsWhere<Rule> = {
  [Name in keyof EventFields]: EventFields[Name] extends Rule ? Name : never;
}[keyof EventFields];
type OptionalOwned = FieldsWhere<{ write: 'optional' }>;
type AlwaysOwned = FieldsWhere<{ write: 'always' }>;

function fieldsWhere<Name extends keyof EventFields>(matches: (rule: FieldRole) => boolean): readonly Name[] {
  const names = Object.keys(EVENT_FIELDS) as (keyof EventFields)[];
  return names.filter((name) => matches(EVENT_FIELDS[name])) as Name[];
}

/** Owned fields the feed may leave out: an update without them clears them, as a patch with `null` did. */
const OPTIONAL_OWNED = fieldsWhere<OptionalOwned>((rule) => 'write' in rule && rule.write === 'optional');
/** Owned fields every event has, compared as they are. */
const VALUE_OWNED = fieldsWhere<FieldsWhere<{ compare: 'value' }>>(
  (rule) => 'compare' in rule && rule.compare === 'value',
);
/** Owned fields every event has, compared as the instant (or date) they name. */
const INSTANT_OWNED = fieldsWhere<FieldsWhere<{ compare: 'instant' }>>(
  (rule) => 'compare' in rule && rule.compare === 'instant',
);

/**
 * The fields the service owns in a Google event, and only those (EVENT_FIELDS): a write of them leaves reminders,
 * colours and anything else a user set in Google as it was. A field left undefined here is one the feed does not
 * set, so an update clears it. `recurrence` is undefined on instances, which cannot carry recurrence lines.
 */
export type OwnedFields = Pick<GoogleEvent, OptionalOwned | FieldsWhere<{ write: 'series-only' }>> &
  Required<Pick<GoogleEvent, AlwaysOwned>> & {
    [Name in FieldsWhere<{ write: 'service-keys' }>]: { private: Record<string, string> };
  };

export const isException = (event: GoogleEvent): boolean => event.recurringEventId !== undefined;

export function ownedFields(event: GoogleEvent): OwnedFields {
  const fields: OwnedFields = {
    start: event.start,
    end: event.end,
    status: event.status ?? 'confirmed',
    extendedProperties: { private: { ...event.extendedProperties.private } },
  };
  for (const name of OPTIONAL_OWNED) {
    if (event[name] !== undefined) Object.assign(fields, { [name]: event[name] });
  }
  if (!isException(event) && event.recurrence?.length) fields.recurrence = [...event.recurrence];
  return fields;
}

/** The private properties the service writes (SourceProperties); any other key is someone else's and is kept. */
const SERVICE_PRIVATE_KEYS = Object.keys({
  icsUid: true,
  icsHash: true,
  icsRecurrenceId: true,
  icsSplitFrom: true,
} satisfies Record<keyof SourceProperties, true>);

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
  for (const name of INSTANT_OWNED) body[name] = { ...fields[name] };
  for (const name of VALUE_OWNED) body[name] = fields[name];
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
  const unsetMeans = (name: OptionalOwned): string | undefined => {
    const rule: FieldRole = EVENT_FIELDS[name];
    return 'unsetMeans' in rule ? rule.unsetMeans : undefined;
  };
  return (
    VALUE_OWNED.every((name) => resource[name] === fields[name]) &&
    OPTIONAL_OWNED.every(
      (name) => (text(resource[name]) ?? unsetMeans(name)) === (fields[name] ?? unsetMeans(name)),
    ) &&
    INSTANT_OWNED.every((name) => startOrEndKey(resource[name]) === startOrEndKey(fields[name]))
  );
}
