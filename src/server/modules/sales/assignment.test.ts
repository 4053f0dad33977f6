import { describe, expect, it } from 'vitest';
import { nextInRotation, pickLeastLoaded, territoryUser } from './assignment.choice.js';

const [a, b, c] = ['0001', '0002', '0003'];

describe('round robin', () => {
  it('starts with the first candidate and then takes turns, wrapping around', () => {
    let last: string | null = null;
    const got: string[] = [];
    for (let i = 0; i < 6; i++) {
      last = nextInRotation([a, b, c], last);
      got.push(last as string);
    }
    expect(got).toEqual([a, b, c, a, b, c]);
  });
  it('continues after a last assignee who has left the team, and skips excluded users', () => {
    expect(nextInRotation([a, c], b)).toBe(c);
    expect(nextInRotation([a, b, c], a, [b])).toBe(c);
    expect(nextInRotation([a], a, [a])).toBeNull();
    expect(nextInRotation([], null)).toBeNull();
  });
});

describe('least loaded', () => {
  it('picks the candidate with the fewest open records', () => {
    expect(
      pickLeastLoaded(
        [a, b, c],
        new Map([
          [a, 3],
          [b, 1],
          [c, 2],
        ]),
        null,
      ),
    ).toBe(b);
    expect(pickLeastLoaded([a, b, c], new Map([[a, 3]]), null)).toBe(b);
  });
  it('spreads ties in rotation after the last assignee and never picks an excluded user', () => {
    const load = new Map([
      [a, 1],
      [b, 1],
      [c, 1],
    ]);
    expect(pickLeastLoaded([a, b, c], load, a)).toBe(b);
    expect(pickLeastLoaded([a, b, c], load, c)).toBe(a);
    expect(
      pickLeastLoaded(
        [a, b, c],
        new Map([
          [a, 0],
          [b, 5],
          [c, 5],
        ]),
        null,
        [a],
      ),
    ).toBe(b);
  });
});

describe('territory', () => {
  it('maps the prefecture to the first territory listing it', () => {
    const t = [
      { prefectures: ['東京都', '神奈川県'], userId: a },
      { prefectures: ['大阪府'], userId: b },
    ];
    expect(territoryUser(t, '大阪府')).toBe(b);
    expect(territoryUser(t, '北海道')).toBeNull();
    expect(territoryUser(t, null)).toBeNull();
  });
});
