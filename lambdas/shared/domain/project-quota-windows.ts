/**
 * How the Google project's per-minute Calendar quota is shared by every writer: cut into short windows, each
 * allowed a fixed share, so that whatever the writers do within the windows, no span of a minute at Google
 * holds more than the quota.
 *
 * Google counts the project's units over a sliding minute (Calendar quota page: 10,000 per minute per project
 * by default). Units are spent in a window of `windowMs` = minute / `windowsPerMinute`; a call that started in
 * a window reaches Google up to `lateWindows` windows later (latency, clock skew). So the calls Google counts in
 * any minute started within minute + lateWindows windows, which touch at most windowsPerMinute + lateWindows + 1
 * windows: each window gets quota / (windowsPerMinute + lateWindows + 1). With 30 windows of 2 s and one late
 * window that is quota / 32, and a backlog can use 30/32 (94%) of the quota.
 */
export interface ProjectQuotaPolicy {
  /** Google's quota of the project, in units per `minuteMs`. */
  quotaPerMinute: number;
  /** Google's quota window: 60,000 (benchmarks scale it down, like the emulator's). */
  minuteMs: number;
  /** Budget windows per quota window. */
  windowsPerMinute: number;
  /** Windows a call may reach Google after the window it started in. */
  lateWindows: number;
}

export const DEFAULT_PROJECT_QUOTA_WINDOWS: Omit<ProjectQuotaPolicy, 'quotaPerMinute'> = {
  minuteMs: 60_000,
  windowsPerMinute: 30,
  lateWindows: 1,
};

/** The windows a policy cuts time into, and what each may spend. */
export interface QuotaWindows {
  windowMs: number;
  /** Units every writer together may start in one window. */
  unitsPerWindow: number;
  /**
   * Units a writer reserves at once: enough that a busy writer asks seldom, few enough that what writers hold
   * unused when a window ends (lost) is a small part of it.
   */
  reservationUnits: number;
}

const MIN_RESERVATION = 3;
const MAX_RESERVATION = 50;

export function quotaWindowsOf(policy: ProjectQuotaPolicy): QuotaWindows {
  const windowMs = policy.minuteMs / policy.windowsPerMinute;
  const windowsTouchingAMinute = policy.windowsPerMinute + policy.lateWindows + 1;
  const unitsPerWindow = Math.floor(policy.quotaPerMinute / windowsTouchingAMinute);
  const reservationUnits = Math.min(
    MAX_RESERVATION,
    Math.max(MIN_RESERVATION, Math.floor(unitsPerWindow / 8)),
  );
  return { windowMs, unitsPerWindow, reservationUnits };
}

/** The window holding instant `epochMs`. */
export const windowAt = (epochMs: number, windows: Pick<QuotaWindows, 'windowMs'>): number =>
  Math.floor(epochMs / windows.windowMs);

/** When window `window` starts (epoch ms). */
export const windowStart = (window: number, windows: Pick<QuotaWindows, 'windowMs'>): number =>
  window * windows.windowMs;
