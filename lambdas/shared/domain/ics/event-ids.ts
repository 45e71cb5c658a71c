/** Deterministic Google event ids and content hashes. */
import { hash } from 'node:crypto';

// One-shot hashing: no Hash object (and its native context) per event on big feeds.
const sha256Hex = (text: string) => hash('sha256', text, 'hex');

/**
 * Google event id of a series or single event: hex SHA-256 of salt, NUL, key. Hex digits are inside
 * Google's base32hex alphabet (a-v, 0-9) and 64 characters long (5-1024 allowed). The per-subscriber salt
 * keeps two subscribers with the same feed from sharing ids, and the id can be recomputed from the UID when
 * the event map is lost, so a repeated insert is recognised by Google's 409.
 */
export function eventIdFor(salt: string, key: string): string {
  return sha256Hex(`${salt}\u0000${key}`);
}

/** A stable stand-in for a missing UID, from the component's content lines (volatile ones left out by the caller). */
export function derivedUid(contentLines: string[]): string {
  return `derived-${sha256Hex(contentLines.join('\n')).slice(0, 32)}`;
}

/**
 * Content hash of an Event resource as it is sent to Google (its hash field excluded). Hashing the output
 * rather than the ICS text means DTSTAMP, LAST-MODIFIED, CREATED and SEQUENCE never cause a write: only a
 * change Google would show does. Keys are written in a fixed order, so equal events hash equally.
 */
export function contentHash(resource: unknown): string {
  return sha256Hex(JSON.stringify(resource));
}
