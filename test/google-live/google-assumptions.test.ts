/**
 * The emulator's assumptions that rest on reports rather than on Google's pages, checked against a target:
 * the emulator in `npm test`, real Google with `npm run test:google-live` and a test account (see README.md
 * here). The same assertions on both, so the two can only agree or show where they differ. Cases only the
 * emulator can bring about (the user acting in the Calendar UI, a purge) are skipped on Google with the reason.
 * Cheap on a real account: about 30 calls, in a calendar the suite creates and deletes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarHttp, describeAnswer, type EventJson, expectOk } from './calendar-http.ts';
import { chooseTarget, type LiveTarget, openTarget } from './target.ts';

const choice = chooseTarget();
const title = `Google Calendar assumptions of the emulator (${choice.kind === 'skip' ? `skipped: ${choice.reason}` : `against ${choice.kind}`})`;
if (choice.kind === 'skip') process.stderr.write(`google-live: skipped: ${choice.reason}\n`);

/** A test that needs the emulator's control surface: real Google gives no way to bring its case about. */
const emulatorOnly = (name: string, whyNotOnGoogle: string, body: () => Promise<void>) =>
  choice.kind === 'google'
    ? it.skip(`${name} (skipped on real Google: ${whyNotOnGoogle})`, body)
    : it(name, body);

// Event ids a client may choose: base32hex (a-v, 0-9), 5 to 1024 characters.
const suiteStamp = Date.now().toString(32);
let idCount = 0;
const newEventId = () =>
  `live${suiteStamp}${(idCount++).toString(32)}${Math.random().toString(32).slice(2, 8)}`;

/** A one-hour timed event in 2027 (in the future whenever the suite runs for a while yet). */
const timedEvent = (summary: string, id?: string) => ({
  ...(id ? { id } : {}),
  summary: `live check: ${summary}`,
  start: { dateTime: '2027-03-01T10:00:00Z' },
  end: { dateTime: '2027-03-01T11:00:00Z' },
});

const instant = (text: string | undefined) => Date.parse(text ?? '');

describe.skipIf(choice.kind === 'skip')(title, () => {
  let target: LiveTarget;
  let google: CalendarHttp;
  let calendarId: string;
  let events: ReturnType<CalendarHttp['events']>;
  /** What the target answered where the suite records rather than asserts, printed at the end. */
  const findings: string[] = [];
  const record = (what: string, observed: string) => findings.push(`${what}: ${observed}`);

  const control = async (method: string, argument: unknown) => {
    if (!target.control) throw new Error('no control surface on real Google');
    await target.control(method, argument);
  };

  const inserted = async (resource: Record<string, unknown>, what: string): Promise<EventJson> =>
    expectOk(await events.insert(resource), what);

  beforeAll(async () => {
    if (choice.kind === 'skip') return;
    target = await openTarget(choice);
    google = new CalendarHttp(target.calendarApiUrl, await target.accessToken());
    // The timestamp in the name makes a leftover of an interrupted run recognisable in the account.
    const created = await google.createCalendar(`live check ${new Date().toISOString()}`, 'UTC');
    calendarId = expectOk(created, 'calendars.insert').id;
    events = google.events(calendarId);
  });

  afterAll(async () => {
    try {
      if (calendarId) expectOk(await google.deleteCalendar(calendarId), 'calendars.delete');
    } finally {
      await target?.close();
      if (findings.length > 0)
        process.stderr.write(
          `google-live (${choice.kind}) recorded:\n${findings.map((line) => `  ${line}\n`).join('')}`,
        );
    }
  });

  it('instance ids come from events.instances and read back; originalStart in RFC 3339 date-time form finds exactly the instance', async () => {
    const series = await inserted(
      {
        summary: 'live check: daily series',
        start: { dateTime: '2027-01-04T09:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2027-01-04T10:00:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=3'],
      },
      'insert series',
    );
    const instances = expectOk(await events.instances(series.id), 'events.instances').items ?? [];
    // Only what holds with either id format: Google calls instance ids opaque, so nothing about their shape.
    expect(instances.map((instance) => instant(instance.originalStartTime?.dateTime))).toEqual(
      ['2027-01-04T09:00:00Z', '2027-01-05T09:00:00Z', '2027-01-06T09:00:00Z'].map(instant),
    );
    expect(instances.every((instance) => instance.recurringEventId === series.id)).toBe(true);
    expect(new Set(instances.map((instance) => instance.id)).size).toBe(3);
    const second = instances[1] as EventJson;
    const read = expectOk(await events.get(second.id), 'events.get of an instance');
    expect(read).toMatchObject({ id: second.id, recurringEventId: series.id });

    for (const form of ['2027-01-05T09:00:00Z', '2027-01-05T10:00:00+01:00']) {
      const found = expectOk(
        await events.instances(series.id, { originalStart: form }),
        `originalStart=${form}`,
      );
      expect(
        (found.items ?? []).map((instance) => instance.id),
        `originalStart=${form}`,
      ).toEqual([second.id]);
    }
    record(
      'instance id format',
      second.id === `${series.id}_20270105T090000Z`
        ? '<seriesId>_<start in UTC>'
        : 'opaque (not <seriesId>_<start>)',
    );
    // Forms Google does not document: recorded, not asserted.
    for (const form of ['2027-01-05T09:00:00', '20270105T090000Z', '2027-01-05']) {
      record(
        `originalStart=${form}`,
        describeAnswer(await events.instances(series.id, { originalStart: form })),
      );
    }
  });

  it('an event deleted through the API reads back as cancelled, and inserting its id again answers 409', async () => {
    const id = newEventId();
    await inserted(timedEvent('deleted through the API', id), 'insert');
    expect((await events.delete(id)).status).toBe(204);
    const read = await events.get(id);
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('cancelled');
    const again = await events.insert(timedEvent('same id again', id));
    expect({ status: again.status, reason: again.reason }).toEqual({ status: 409, reason: 'duplicate' });
  });

  emulatorOnly(
    'updating an event the user deleted in the Calendar UI answers 403 forbidden',
    'no API acts as the user in the Calendar UI',
    async () => {
      const id = newEventId();
      await inserted(timedEvent('deleted in the UI', id), 'insert');
      await control('userDeleteEvent', { calendarId, eventId: id });
      const update = await events.update(id, timedEvent('updated after the UI delete'));
      expect({ status: update.status, reason: update.reason }).toEqual({ status: 403, reason: 'forbidden' });
    },
  );

  emulatorOnly(
    'after deleted events are purged, get answers 404 while inserting the id still answers 409',
    'Google purges deleted events when it chooses; no API forces it',
    async () => {
      const id = newEventId();
      await inserted(timedEvent('purged', id), 'insert');
      expect((await events.delete(id)).status).toBe(204);
      await control('purgeTombstones', { calendarId });
      const read = await events.get(id);
      expect({ status: read.status, reason: read.reason }).toEqual({ status: 404, reason: 'notFound' });
      const again = await events.insert(timedEvent('purged id again', id));
      expect({ status: again.status, reason: again.reason }).toEqual({ status: 409, reason: 'duplicate' });
    },
  );

  it.each([
    { zone: 'Europe/Kyiv', status: 400 },
    { zone: 'Europe/Kiev', status: 200 },
    { zone: 'Etc/GMT-1', status: 400 },
  ])('a recurring event in $zone answers $status', async ({ zone, status }) => {
    const answer = await events.insert({
      summary: `live check: weekly in ${zone}`,
      start: { dateTime: '2027-02-01T09:00:00', timeZone: zone },
      end: { dateTime: '2027-02-01T10:00:00', timeZone: zone },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'],
    });
    record(`recurring event in ${zone}`, `${answer.status} ${answer.reason ?? ''}`.trim());
    expect(answer.status).toBe(status);
  });

  it('a timed event ending when it starts answers 400 timeRangeEmpty', async () => {
    const answer = await events.insert({
      summary: 'live check: no length',
      start: { dateTime: '2027-03-01T10:00:00Z' },
      end: { dateTime: '2027-03-01T10:00:00Z' },
    });
    expect({ status: answer.status, reason: answer.reason }).toEqual({
      status: 400,
      reason: 'timeRangeEmpty',
    });
  });

  it('an update with a stale ETag in If-Match answers 412 conditionNotMet; with the current one it applies', async () => {
    const id = newEventId();
    const first = await inserted(timedEvent('etag', id), 'insert');
    const changed = expectOk(await events.update(id, timedEvent('etag, changed')), 'update');
    expect(changed.etag).not.toBe(first.etag);
    const stale = await events.update(id, timedEvent('etag, stale write'), first.etag);
    expect({ status: stale.status, reason: stale.reason }).toEqual({
      status: 412,
      reason: 'conditionNotMet',
    });
    const current = await events.update(id, timedEvent('etag, current write'), changed.etag);
    expect(current.status).toBe(200);
  });

  it('at most 5 reminder overrides: 6 answer 400, 5 are taken', async () => {
    const withOverrides = (count: number) => ({
      ...timedEvent(`${count} reminders`),
      reminders: {
        useDefault: false,
        overrides: Array.from({ length: count }, (_, index) => ({
          method: 'popup',
          minutes: 10 * (index + 1),
        })),
      },
    });
    const six = await events.insert(withOverrides(6));
    record('6 reminder overrides', `${six.status} ${six.reason ?? ''}`.trim());
    expect(six.status).toBe(400);
    expect((await events.insert(withOverrides(5))).status).toBe(200);
  });

  /** Pages through a full listing and returns its sync token. */
  const fullListing = async (): Promise<string> => {
    let pageToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const answer = expectOk(await events.list(pageToken ? { pageToken } : {}), 'events.list (full)');
      if (answer.nextSyncToken) return answer.nextSyncToken;
      pageToken = answer.nextPageToken;
      if (!pageToken) break;
    }
    throw new Error('the full listing ended without a nextSyncToken');
  };

  it('a listing with the sync token of a full listing returns only what changed, a deleted event as cancelled', async () => {
    const deletedId = newEventId();
    await inserted(timedEvent('deleted after the full listing', deletedId), 'insert');
    const syncToken = await fullListing();
    expect((await events.delete(deletedId)).status).toBe(204);
    const added = await inserted(timedEvent('added after the full listing'), 'insert');
    const changes = expectOk(await events.list({ syncToken }), 'events.list (incremental)').items ?? [];
    expect(changes.map((event) => [event.id, event.status]).sort()).toEqual(
      [
        [deletedId, 'cancelled'],
        [added.id, 'confirmed'],
      ].sort(),
    );
  });

  it('a made-up sync token answers 400 or 410', async () => {
    const answer = await events.list({ syncToken: 'CMadeUpTokenOfTheLiveCheck' });
    record('made-up sync token', `${answer.status} ${answer.reason ?? ''}`.trim());
    expect([400, 410]).toContain(answer.status);
  });

  emulatorOnly(
    'an expired sync token answers 410 fullSyncRequired',
    'Google expires sync tokens when it chooses; no API forces it',
    async () => {
      const syncToken = await fullListing();
      await control('invalidateSyncTokens', { calendarId });
      const answer = await events.list({ syncToken });
      expect({ status: answer.status, reason: answer.reason }).toEqual({
        status: 410,
        reason: 'fullSyncRequired',
      });
    },
  );

  it.skip('a patch costs 3 quota units (skipped: quota units are not observable per call)', () => {});
});
