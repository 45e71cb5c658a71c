import type { EventDateTime, GoogleEvent } from '../google-event.ts';

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
