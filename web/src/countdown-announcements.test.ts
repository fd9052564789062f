import { describe, expect, it } from 'vitest';
import { countdownAnnouncement, spokenTimeLeft } from './countdown-announcements';

/** Every announcement made while the shown time counts down one second at a time from `from` to 1. */
function announcementsCountingDown(from: number): { at: number; text: string }[] {
  const heard: { at: number; text: string }[] = [];
  let previous: number | null = null;
  for (let seconds = from; seconds >= 1; seconds--) {
    const text = countdownAnnouncement(previous, seconds);
    if (text !== null) heard.push({ at: seconds, text });
    previous = seconds;
  }
  return heard;
}

describe('countdownAnnouncement', () => {
  it('speaks at each whole minute, then at 30 and 10 seconds, over a 15-minute reservation', () => {
    const heard = announcementsCountingDown(900);

    expect(heard.map((item) => item.at)).toEqual([840, 780, 720, 660, 600, 540, 480, 420, 360, 300, 240, 180, 120, 60, 30, 10]);
    expect(heard[0]?.text).toBe('14 minutes left to pay');
    expect(heard.slice(-3).map((item) => item.text)).toEqual(['1 minute left to pay', '30 seconds left to pay', '10 seconds left to pay']);
  });

  it('is silent on the first tick, since the page itself is being read then', () => {
    expect(countdownAnnouncement(null, 900)).toBeNull();
    expect(countdownAnnouncement(null, 30)).toBeNull();
  });

  it('is silent between milestones and when the time did not go down', () => {
    expect(countdownAnnouncement(45, 44)).toBeNull();
    expect(countdownAnnouncement(30, 30)).toBeNull();
    expect(countdownAnnouncement(29, 31)).toBeNull();
  });

  it('leaves the end to the expiry message', () => {
    expect(countdownAnnouncement(1, 0)).toBeNull();
    expect(countdownAnnouncement(12, 0)).toBeNull();
  });

  it('after a jump over a milestone (a throttled background tab), says the time now shown', () => {
    expect(countdownAnnouncement(95, 58)).toBe('58 seconds left to pay');
    expect(countdownAnnouncement(125, 118)).toBe('1 minute 58 seconds left to pay');
    expect(countdownAnnouncement(50, 35)).toBeNull();
  });
});

describe('spokenTimeLeft', () => {
  it('names minutes and seconds in words, singular where it should be', () => {
    expect(spokenTimeLeft(120)).toBe('2 minutes left to pay');
    expect(spokenTimeLeft(61)).toBe('1 minute 1 second left to pay');
    expect(spokenTimeLeft(10)).toBe('10 seconds left to pay');
  });
});
