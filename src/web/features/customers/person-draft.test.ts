import { describe, expect, it } from 'vitest';
import { AUTO_LABEL, emptyDraft, payloadOf } from './person-draft';

describe('payloadOf', () => {
  it('sends a phone whose kind the user did not pick without a label (the server takes it from the number), and a picked one as picked', () => {
    const draft = {
      ...emptyDraft(),
      familyName: '山田',
      phones: [
        { label: AUTO_LABEL, number: '03-1234-5678' },
        { label: 'home', number: '090-1111-2222' },
        { label: AUTO_LABEL, number: ' ' },
      ],
    };
    expect(payloadOf(draft).phones).toEqual([{ number: '03-1234-5678' }, { label: 'home', number: '090-1111-2222' }]);
  });
});
