/**
 * Ids of series instances, in the two schemes Google has used.
 *
 * - `legacy`: `<seriesId>_<original start in UTC basic format>` (`_20260105T090000Z`, all-day `_20260105`), the
 *   form every series had until Google changed it. Kept for series created before `instanceIds.opaqueFrom`, so
 *   clients are tested against both.
 * - `opaque`: Google told API developers (October 2025, quoted in OutlookGoogleCalendarSync issue #2205) that
 *   from Q3 2026 new recurring events get instance ids in a new format and that event ids must be treated as
 *   opaque; the recurring-events guide (developers.google.com/calendar/api/guides/recurringevents) has clients
 *   get the instance from `events.instances` and then update that id. The new format is not published, so the
 *   emulator makes ids that cannot be derived from the series id and the start: an HMAC (per-emulator random
 *   key) of (calendar, series id, original start kind and instant) in Google's event-id alphabet (lower-case base32hex),
 *   26 characters. The same instance always gets the same id for the life of the emulator. A computed
 *   legacy-form id of such a series is not found (404), as it would not be at Google.
 *
 * Opaque ids are resolved through a registry filled whenever one is handed out (a client can only know an
 * opaque id from an answer); exceptions keep the id of the instance they were made from (in the store).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { basicIdAt } from '../../../lambdas/shared/domain/time/when.ts';

export type InstanceIdScheme = 'legacy' | 'opaque';

export interface InstanceRef {
  seriesId: string;
  /** The instant of the original start (all-day: the date's UTC midnight). */
  originalStartMs: number;
  /** Whether the original start is a date: an instance of that kind only exists while the series is of it. */
  allDay: boolean;
}

/** Q3 2026, when Google said the new instance id format starts. */
const DEFAULT_OPAQUE_FROM = Date.UTC(2026, 6, 1);

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';
const OPAQUE_LENGTH = 26;
const LEGACY_SUFFIX = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/;

/** `20260105T090000Z` or `20260105`, the suffix of a legacy instance id. */
const legacySuffix = (originalStartMs: number, allDay: boolean): string => basicIdAt(allDay, originalStartMs);

/** Splits a legacy id `<seriesId>_<basic start>` into the series id and the original start instant. */
function parseLegacyInstanceId(id: string): InstanceRef | undefined {
  const underscore = id.lastIndexOf('_');
  if (underscore <= 0) return undefined;
  const match = LEGACY_SUFFIX.exec(id.slice(underscore + 1));
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  const originalStartMs = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
  return { seriesId: id.slice(0, underscore), originalStartMs, allDay: match[4] === undefined };
}

function base32hex(bytes: Buffer, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

export class InstanceIds {
  /** Series created at or after this instant (emulator clock) get opaque instance ids. */
  opaqueFromMs = DEFAULT_OPAQUE_FROM;
  private readonly key = randomBytes(32);
  /** `<calendarId>\n<opaque id>` -> the instance it names. */
  private readonly registry = new Map<string, InstanceRef>();

  /** The scheme of a series created at `nowMs`. */
  schemeAt(nowMs: number): InstanceIdScheme {
    return nowMs >= this.opaqueFromMs ? 'opaque' : 'legacy';
  }

  /** The id of the instance of `seriesId` starting at `originalStartMs`; opaque ids are remembered. */
  idOf(
    calendarId: string,
    seriesId: string,
    scheme: InstanceIdScheme,
    originalStartMs: number,
    allDay: boolean,
  ): string {
    if (scheme === 'legacy') return `${seriesId}_${legacySuffix(originalStartMs, allDay)}`;
    // The kind is part of the name: an all-day instance and a timed one at the same instant are two instances.
    const digest = createHmac('sha256', this.key)
      .update(`${calendarId}\n${seriesId}\n${allDay ? 'date' : 'dateTime'}\n${originalStartMs}`)
      .digest();
    const id = base32hex(digest, OPAQUE_LENGTH);
    const entry = `${calendarId}\n${id}`;
    if (!this.registry.has(entry)) this.registry.set(entry, { seriesId, originalStartMs, allDay });
    return id;
  }

  /**
   * The instance an id names: an opaque id handed out before, or a legacy-form id (whose series must still use
   * the legacy scheme: `schemeOf` answers for the series id).
   */
  resolve(
    calendarId: string,
    id: string,
    schemeOf: (seriesId: string) => InstanceIdScheme | undefined,
  ): InstanceRef | undefined {
    const opaque = this.registry.get(`${calendarId}\n${id}`);
    if (opaque) return opaque;
    const legacy = parseLegacyInstanceId(id);
    return legacy && schemeOf(legacy.seriesId) === 'legacy' ? legacy : undefined;
  }
}
