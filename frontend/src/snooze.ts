/** Snoozed suggestions: hidden for a day in this browser only (localStorage, not the engine). */

const KEY = "homeiq.snoozed";
export const SNOOZE_MS = 24 * 60 * 60 * 1000;

function read(): Record<string, number> {
  try {
    const stored: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? "{}");
    return typeof stored === "object" && stored !== null ? (stored as Record<string, number>) : {};
  } catch {
    // A corrupt or blocked storage only means nothing is snoozed.
    return {};
  }
}

/** Ids snoozed until later than `now`; expired ones are forgotten. */
export function snoozedIds(now = Date.now()): Set<string> {
  const live = Object.fromEntries(Object.entries(read()).filter(([, until]) => until > now));
  window.localStorage.setItem(KEY, JSON.stringify(live));
  return new Set(Object.keys(live));
}

/** Hide a suggestion for a day. */
export function snooze(id: string, now = Date.now()): void {
  window.localStorage.setItem(KEY, JSON.stringify({ ...read(), [id]: now + SNOOZE_MS }));
}
