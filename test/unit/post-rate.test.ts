import { describe, expect, it } from 'vitest';
import { PostPacer, TEAMS_CONVERSATION_RATE, TEAMS_POST_RATE, TeamsPostRate } from '../../src/adapters/teams/post-rate';

/** When each of `n` posts, all asking at `t0`, may go. */
function schedule(pacer: PostPacer, n: number, t0 = 1_000_000): number[] {
  return [...Array(n).keys()].map(() => t0 + pacer.reserve(t0));
}

/** The most posts in any window of `windowMs`. */
function busiest(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('Teams post pacing', () => {
  it('lets a burst go at once, then one post per interval', () => {
    const times = schedule(new PostPacer({ perSecond: 40, burst: 5 }), 8);
    expect(times.map((t) => t - 1_000_000)).toEqual([0, 0, 0, 0, 0, 25, 50, 75]);
  });

  it("keeps a 1,000-post fan-out under Teams' ~50 requests a second in every second", () => {
    const times = schedule(new PostPacer(TEAMS_POST_RATE), 1_000);
    expect(busiest(times, 1_000)).toBeLessThanOrEqual(45);
    expect(busiest(times, 1_000)).toBeGreaterThanOrEqual(40);
  });

  it('keeps one conversation under 7 messages in 1 s, 8 in 2 s and 60 in 30 s', () => {
    const times = schedule(new PostPacer(TEAMS_CONVERSATION_RATE), 100);
    expect(busiest(times, 1_000)).toBeLessThanOrEqual(7);
    expect(busiest(times, 2_000)).toBeLessThanOrEqual(8);
    expect(busiest(times, 30_000)).toBeLessThanOrEqual(60);
  });

  it('gives a quiet pacer its burst back, and serves reservations made together in order', () => {
    const pacer = new PostPacer({ perSecond: 10, burst: 2 });
    expect([pacer.reserve(0), pacer.reserve(0), pacer.reserve(0)]).toEqual([0, 0, 100]);
    expect(pacer.idle(200)).toBe(false);
    expect(pacer.idle(300)).toBe(true);
    expect([pacer.reserve(10_000), pacer.reserve(10_000), pacer.reserve(10_000)]).toEqual([0, 0, 100]);
  });

  it('refuses a rate that cannot pace anything', () => {
    expect(() => new PostPacer({ perSecond: 0, burst: 1 })).toThrow(/positive rate/);
    expect(() => new PostPacer({ perSecond: 5, burst: 0 })).toThrow(/burst of at least 1/);
  });

  it("makes a second post to the same conversation wait for that conversation's next slot", async () => {
    const rate = new TeamsPostRate({
      overall: { perSecond: 1_000, burst: 10 },
      perConversation: { perSecond: 20, burst: 1 },
    });
    await rate.take('a');
    const started = Date.now();
    await rate.take('a');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
