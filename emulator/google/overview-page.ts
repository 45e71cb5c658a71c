/**
 * `GET /` of the emulator: its users, OAuth clients, calendars and events as one HTML page, so a local run shows
 * what the service wrote to "Google". Not part of Google's API; read-only. `?refresh=N` reloads it every N
 * seconds (1-60).
 */
import { escapeHtml } from './http.ts';
import type { CalendarState, EmulatorState, EventResource } from './types.ts';

export const OVERVIEW_PATH = '/';

export function overviewPage(state: EmulatorState, refreshSeconds: number | undefined): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  const toggle = refreshSeconds
    ? `Reloads every ${refreshSeconds} s. <a href="/">Stop reloading</a>`
    : '<a href="/?refresh=5">Reload every 5 seconds</a>';
  const users = state.users
    .map(
      (user) =>
        `<tr><td>${escapeHtml(user.email)}</td><td>${escapeHtml(user.name)}</td><td>${escapeHtml(user.timeZone)}</td></tr>`,
    )
    .join('');
  const clients = state.clients
    .map(
      (client) =>
        `<tr><td><code>${escapeHtml(client.clientId)}</code></td><td>${client.redirectUris.map((uri) => `<code>${escapeHtml(uri)}</code>`).join('<br>')}</td></tr>`,
    )
    .join('');
  const calendars = [...state.calendars].sort(
    (a, b) => Number(a.primary) - Number(b.primary) || a.summary.localeCompare(b.summary),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}<title>Google emulator</title>
<style>
body { font-family: system-ui, sans-serif; color: #1b1f24; max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; line-height: 1.45; }
a { color: #0b57d0; } a:focus-visible { outline: 3px solid #1b1f24; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #c4c7c5; padding: .35rem .6rem; }
th { background: #f1f3f4; }
.cancelled td { color: #5f6368; text-decoration: line-through; }
.muted { color: #444746; }
code { font-size: .85rem; overflow-wrap: anywhere; }
</style></head>
<body>
<h1>Google emulator</h1>
<p class="muted">What the emulated Google holds right now (${escapeHtml(state.now)}). ${toggle}</p>
<h2>Users</h2>
${users ? `<table><thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Time zone</th></tr></thead><tbody>${users}</tbody></table>` : '<p>No users yet.</p>'}
<h2>OAuth clients</h2>
${clients ? `<table><thead><tr><th scope="col">Client id</th><th scope="col">Redirect URIs</th></tr></thead><tbody>${clients}</tbody></table>` : '<p>No clients yet.</p>'}
<h2>Calendars</h2>
${calendars.length ? calendars.map(calendarSection).join('\n') : '<p>No calendars yet.</p>'}
<h2>API calls</h2>
<p>${state.counters.total} calls received, ${state.counters.units} quota units charged.</p>
</body></html>
`;
}

function calendarSection(calendar: CalendarState): string {
  const events = [...calendar.events].sort((a, b) => startKey(a).localeCompare(startKey(b)));
  const live = events.filter((event) => event.status !== 'cancelled').length;
  const heading = `${escapeHtml(calendar.summary)} <span class="muted">(${calendar.primary ? 'primary calendar' : 'made by an app'}, owner ${escapeHtml(calendar.owner)}, ${escapeHtml(calendar.timeZone)}; ${live} events)</span>`;
  if (events.length === 0) return `<h3>${heading}</h3><p>No events.</p>`;
  const rows = events
    .map((event) => {
      const cancelled = event.status === 'cancelled';
      return `<tr${cancelled ? ' class="cancelled"' : ''}><td>${when(event)}</td><td>${escapeHtml(String(event.summary ?? '(no title)'))}${cancelled ? ' <span class="muted">(cancelled)</span>' : ''}</td><td>${escapeHtml(String(event.location ?? ''))}</td><td>${repeats(event)}</td></tr>`;
    })
    .join('');
  return `<h3>${heading}</h3>
<table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Where</th><th scope="col">Repeats</th></tr></thead><tbody>${rows}</tbody></table>`;
}

type Time = { date?: string; dateTime?: string; timeZone?: string } | undefined;

const startKey = (event: EventResource): string => {
  const start = (event.start ?? event.originalStartTime) as Time;
  return start?.dateTime ? new Date(start.dateTime).toISOString() : `${start?.date ?? ''}T00:00:00.000Z`;
};

function when(event: EventResource): string {
  const start = event.start as Time;
  const end = event.end as Time;
  if (!start) return '';
  if (start.date) {
    const last = end?.date ? previousDay(end.date) : start.date;
    return escapeHtml(last === start.date ? `${start.date} (all day)` : `${start.date} to ${last} (all day)`);
  }
  // In the event's own zone (the stored dateTimes carry the calendar's offset).
  const zone = start.timeZone ?? 'UTC';
  const begins = inZone(start.dateTime, zone);
  const ends = inZone(end?.dateTime, zone);
  const sameDay = begins.slice(0, 10) === ends.slice(0, 10);
  return escapeHtml(`${begins}-${sameDay ? ends.slice(11) : ends} ${zone}`);
}

/** `YYYY-MM-DD HH:MM` of an instant in a zone (UTC when the zone is unknown). */
function inZone(dateTime: string | undefined, zone: string): string {
  if (!dateTime) return '';
  const format = (timeZone: string) =>
    new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(dateTime));
  try {
    return format(zone);
  } catch {
    return format('UTC');
  }
}

function repeats(event: EventResource): string {
  if (Array.isArray(event.recurrence)) {
    return event.recurrence.map((line) => `<code>${escapeHtml(String(line))}</code>`).join('<br>');
  }
  if (event.recurringEventId) {
    const original = event.originalStartTime as Time;
    const at = original?.dateTime ?? original?.date ?? '';
    const was = original?.dateTime ? inZone(original.dateTime, original.timeZone ?? 'UTC') : at;
    return `<span class="muted">changed occurrence (was ${escapeHtml(was)})</span>`;
  }
  return '';
}

const previousDay = (date: string): string => {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
};
