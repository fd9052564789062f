// What a screen reader hears about the time left on a reservation. The visible
// countdown (role="timer") changes every second and is not announced; a polite
// live region beside it speaks only at the moments worth an interruption: each
// whole minute, 30 and 10 seconds before the end, and the end itself.

/** Seconds left at which the time is spoken, besides every whole minute. */
export const FINAL_ANNOUNCEMENTS_S = [30, 10];

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** "2 minutes left to pay", "1 minute 5 seconds left to pay", "30 seconds left to pay". */
export function spokenTimeLeft(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [minutes > 0 ? plural(minutes, 'minute') : '', rest > 0 || minutes === 0 ? plural(rest, 'second') : ''];
  return `${parts.filter(Boolean).join(' ')} left to pay`;
}

function isMilestone(seconds: number): boolean {
  return seconds > 0 && (seconds % 60 === 0 || FINAL_ANNOUNCEMENTS_S.includes(seconds));
}

/**
 * The sentence to announce when the shown time goes from `previousSeconds` to
 * `seconds` (whole seconds, rounded up as shown), or null for silence. The first
 * tick (`previousSeconds` null) is silent: the page itself is read then. A jump
 * over a milestone (a throttled background tab) announces the time now shown,
 * so no milestone is lost and nothing stale is read out.
 */
export function countdownAnnouncement(previousSeconds: number | null, seconds: number): string | null {
  if (previousSeconds === null || seconds <= 0 || seconds >= previousSeconds) return null;
  for (let s = previousSeconds - 1; s >= seconds; s--) {
    if (isMilestone(s)) return spokenTimeLeft(seconds);
  }
  return null;
}
