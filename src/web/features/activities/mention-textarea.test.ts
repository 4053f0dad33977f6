import { describe, expect, it } from 'vitest';
import { mentionedIn } from './mention-textarea';

const users = [
  { id: 'u1', name: '鈴木 花子' },
  { id: 'u2', name: '佐藤 次郎' },
];

describe('mentions', () => {
  it('notifies only the picked users whose @name is still in the text', () => {
    expect(mentionedIn('確認お願いします@鈴木 花子 と @佐藤 次郎', users, ['u1', 'u2'])).toEqual(['u1', 'u2']);
    expect(mentionedIn('@鈴木 花子 だけ', users, ['u1', 'u2'])).toEqual(['u1']);
    expect(mentionedIn('鈴木 花子 (no at sign)', users, ['u1'])).toEqual([]);
    expect(mentionedIn('@someone', users, ['unknown'])).toEqual([]);
  });
});
