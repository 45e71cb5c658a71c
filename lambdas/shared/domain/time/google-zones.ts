/**
 * The zone name Google gets for a zone the mapping resolved: Google's zone list lags tzdata, and nothing shows it
 * takes the `Etc/GMT±N` fixed-offset names, so some IANA names become another name with the same offsets over
 * the sync's span, or (when none fits) the times are written in UTC. Pure: Intl only, through ./zone.ts.
 */

import { BoundedCache } from '../bounded-cache.ts';
import { HOUR_MS, MINUTE_MS } from './civil.ts';
import { type OffsetAt, timeZoneNamed } from './zone.ts';

/** What Google gets for a zone: a name it takes, or UTC times computed with the zone's own offsets. */
export type GoogleZone = { kind: 'named'; name: string } | { kind: 'utc'; offsetAt: OffsetAt };

/** The span the mapping writes times for (the sync's horizon, whole years around it). */
export interface ZoneSpan {
  fromMs: number;
  toMs: number;
}

/**
 * tzdata renames newer than Google's zone list: the new name is refused with 400 "Invalid time zone definition"
 * (OutlookGoogleCalendarSync issues #1525 and #1530, 2022: `Europe/Kyiv`), the old one is a tzdata link to the
 * same zone (tzdata `backward` file), so the old one is sent and nothing changes but the name.
 */
const RENAMED_ZONES: Readonly<Record<string, string>> = {
  'Europe/Kyiv': 'Europe/Kiev', // tzdata 2022b
  'America/Nuuk': 'America/Godthab', // tzdata 2020a
  'Pacific/Kanton': 'Pacific/Enderbury', // tzdata 2021b
  'Asia/Yangon': 'Asia/Rangoon', // tzdata 2016b
};

/**
 * New zones with no older name, sent as an older zone only while both have the same offsets over the span:
 * Ciudad Juárez follows US Mountain time since 2022-11-30 (tzdata 2022g, the zone was split from
 * America/Ojinaga for it).
 */
const NEW_ZONES_FOLLOWING: Readonly<Record<string, string>> = {
  'America/Ciudad_Juarez': 'America/Denver',
};

/**
 * Zones with one offset all year today, per offset in minutes east of UTC, to stand for a bare fixed offset.
 * Each is checked against Intl over the span before it is used (a country may bring DST back). Sources: tzdata
 * (`africa`, `asia`, `australasia`, `northamerica`, `southamerica`, `europe`); notable changes: Brazil ended
 * DST in 2019, Iran in 2022, Fiji has skipped it since 2022, Tonga since 2017.
 */
const CONSTANT_OFFSET_ZONES: Readonly<Record<number, readonly string[]>> = {
  [-11 * 60]: ['Pacific/Pago_Pago', 'Pacific/Niue'],
  [-10 * 60]: ['Pacific/Honolulu', 'Pacific/Tahiti'],
  [-9 * 60 - 30]: ['Pacific/Marquesas'],
  [-9 * 60]: ['Pacific/Gambier'],
  [-8 * 60]: ['Pacific/Pitcairn'],
  [-7 * 60]: ['America/Phoenix', 'America/Hermosillo'],
  [-6 * 60]: ['America/Regina', 'America/Costa_Rica', 'America/Guatemala'],
  [-5 * 60]: ['America/Bogota', 'America/Panama', 'America/Lima'],
  [-4 * 60]: ['America/Puerto_Rico', 'America/La_Paz', 'America/Caracas'],
  [-3 * 60]: ['America/Sao_Paulo', 'America/Argentina/Buenos_Aires', 'America/Montevideo'],
  [-2 * 60]: ['America/Noronha', 'Atlantic/South_Georgia'],
  [-1 * 60]: ['Atlantic/Cape_Verde'],
  0: ['UTC'],
  [1 * 60]: ['Africa/Lagos', 'Africa/Algiers', 'Africa/Tunis'],
  [2 * 60]: ['Africa/Johannesburg', 'Africa/Maputo'],
  [3 * 60]: ['Africa/Nairobi', 'Asia/Riyadh', 'Europe/Istanbul'],
  [3 * 60 + 30]: ['Asia/Tehran'],
  [4 * 60]: ['Asia/Dubai', 'Asia/Baku'],
  [4 * 60 + 30]: ['Asia/Kabul'],
  [5 * 60]: ['Asia/Karachi', 'Asia/Tashkent'],
  [5 * 60 + 30]: ['Asia/Kolkata', 'Asia/Calcutta', 'Asia/Colombo'],
  [5 * 60 + 45]: ['Asia/Kathmandu', 'Asia/Katmandu'],
  [6 * 60]: ['Asia/Dhaka', 'Asia/Bishkek'],
  [6 * 60 + 30]: ['Asia/Rangoon'],
  [7 * 60]: ['Asia/Bangkok', 'Asia/Jakarta'],
  [8 * 60]: ['Asia/Shanghai', 'Asia/Singapore', 'Australia/Perth'],
  [8 * 60 + 45]: ['Australia/Eucla'],
  [9 * 60]: ['Asia/Tokyo', 'Asia/Seoul'],
  [9 * 60 + 30]: ['Australia/Darwin'],
  [10 * 60]: ['Australia/Brisbane', 'Pacific/Port_Moresby'],
  [11 * 60]: ['Pacific/Guadalcanal', 'Pacific/Noumea'],
  [12 * 60]: ['Pacific/Tarawa', 'Pacific/Majuro', 'Pacific/Fiji'],
  [13 * 60]: ['Pacific/Fakaofo', 'Pacific/Tongatapu'],
  [14 * 60]: ['Pacific/Kiritimati'],
  // -12 (Baker and Howland Islands: no zone but Etc/GMT+12), +12:45 (Chatham keeps DST): none, times go in UTC.
};

/** `Etc/GMT+5` is five hours *west* of UTC (POSIX sign convention). */
const ETC_FIXED = /^Etc\/GMT([+-])(\d{1,2})$/;

/** Every zone name this module may answer, for tests that check them against Google's list. */
export const GOOGLE_ZONE_CANDIDATES: readonly string[] = [
  ...Object.values(RENAMED_ZONES),
  ...Object.values(NEW_ZONES_FOLLOWING),
  ...Object.values(CONSTANT_OFFSET_ZONES).flat(),
];

/** Answers by zone and span: bounded, the zones are those feeds name. */
const answers = new BoundedCache<string, GoogleZone>(4_096);

/**
 * The zone Google gets for an IANA zone (as Intl spells it) over `span`: the name itself; the older name of a
 * renamed zone; the older zone a new one follows, while their offsets agree; for an `Etc/GMT±N` name, a zone
 * with that one offset all over the span; else UTC times under the zone's own offsets.
 */
export function googleZoneFor(name: string, span: ZoneSpan): GoogleZone {
  const key = `${name}|${span.fromMs}|${span.toMs}`;
  let answer = answers.get(key);
  if (!answer) {
    answer = decide(name, span);
    answers.set(key, answer);
  }
  return answer;
}

/** A bare offset ("(UTC+05:30)" with no place): a zone with that one offset all over the span, else UTC times. */
export function googleZoneForOffset(offsetMinutes: number, span: ZoneSpan): GoogleZone {
  const offsetMs = offsetMinutes * MINUTE_MS;
  const name = (CONSTANT_OFFSET_ZONES[offsetMinutes] ?? []).find((candidate) =>
    hasOnlyOffset(candidate, offsetMs, span),
  );
  return name ? { kind: 'named', name } : { kind: 'utc', offsetAt: () => offsetMs };
}

function decide(name: string, span: ZoneSpan): GoogleZone {
  const renamed = RENAMED_ZONES[name];
  if (renamed) return { kind: 'named', name: renamed };
  const followed = NEW_ZONES_FOLLOWING[name];
  if (followed) {
    return sameOffsets(name, followed, span)
      ? { kind: 'named', name: followed }
      : { kind: 'utc', offsetAt: timeZoneNamed(name).offsetAt };
  }
  const fixed = ETC_FIXED.exec(name);
  if (fixed && Number(fixed[2]) !== 0) {
    const westOfUtc = fixed[1] === '+';
    return googleZoneForOffset((westOfUtc ? -1 : 1) * Number(fixed[2]) * 60, span);
  }
  return { kind: 'named', name };
}

/**
 * Transitions fall on whole hours or half hours in the zones compared here, and two transitions of one zone are
 * days apart, so sampling every quarter hour sees any difference that lasts a quarter hour or more.
 */
const SAMPLE_MS = 15 * MINUTE_MS;

function sameOffsets(a: string, b: string, span: ZoneSpan): boolean {
  const offsetA = timeZoneNamed(a).offsetAt;
  const offsetB = timeZoneNamed(b).offsetAt;
  for (let t = span.fromMs; t <= span.toMs; t += SAMPLE_MS) if (offsetA(t) !== offsetB(t)) return false;
  return true;
}

function hasOnlyOffset(name: string, offsetMs: number, span: ZoneSpan): boolean {
  const { offsetAt } = timeZoneNamed(name);
  // A zone's offset changes at most once in five days (./zone.ts): hourly samples see every change.
  for (let t = span.fromMs; t <= span.toMs; t += HOUR_MS) if (offsetAt(t) !== offsetMs) return false;
  return true;
}
