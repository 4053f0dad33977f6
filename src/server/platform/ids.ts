import { v7 } from 'uuid';

/** Time-ordered UUID v7: good index locality for append-heavy tables. */
export function newId(): string {
  return v7();
}
