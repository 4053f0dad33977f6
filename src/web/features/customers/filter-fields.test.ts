import { describe, expect, it } from 'vitest';
import type { Filter } from '../../../shared/filter';
import { type DraftGroup, emptyGroup, filterFields, fromFilter, toFilter } from './filter-fields';

const fields = filterFields('person', [], 'ja');
const strip = (g: DraftGroup) => toFilter(g, fields);

describe('filter builder drafts', () => {
  it('turns nested AND/OR groups and NOT into the filter language and back without losing the structure', () => {
    const filter: Filter = {
      and: [
        { field: 'prefecture', op: 'eq', value: '東京都' },
        {
          or: [
            { field: 'tags', op: 'has_any', value: ['VIP', '優良'] },
            { field: 'city', op: 'contains', value: '渋谷' },
          ],
        },
        {
          not: {
            or: [
              { field: 'emailPermission', op: 'eq', value: 'withdrawn' },
              { field: 'email', op: 'is_empty' },
            ],
          },
        },
      ],
    };
    const draft = fromFilter(filter);
    expect(draft.join).toBe('and');
    expect(draft.children.map((c) => c.kind)).toEqual(['condition', 'group', 'group']);
    const negated = draft.children[2] as DraftGroup;
    expect(negated.negate).toBe(true);
    expect(negated.join).toBe('or');
    expect(strip(draft)).toEqual(filter);
  });

  it('keeps a NOT around a single condition as a negated group of one', () => {
    const filter: Filter = { and: [{ not: { field: 'city', op: 'eq', value: '札幌市' } }] };
    const draft = fromFilter(filter);
    const group = draft.children[0] as DraftGroup;
    expect(group).toMatchObject({ kind: 'group', negate: true });
    expect(strip(draft)).toEqual({ and: [{ not: { and: [{ field: 'city', op: 'eq', value: '札幌市' }] } }] });
  });

  it('wraps a bare condition or a top-level OR in a root group', () => {
    expect(fromFilter({ field: 'city', op: 'is_empty' }).children).toHaveLength(1);
    const or = fromFilter({
      or: [
        { field: 'city', op: 'is_empty' },
        { field: 'title', op: 'is_empty' },
      ],
    });
    expect(or.join).toBe('or');
    expect(strip(or)).toEqual({
      or: [
        { field: 'city', op: 'is_empty' },
        { field: 'title', op: 'is_empty' },
      ],
    });
  });

  it('leaves out rows without a value and groups left empty, and gives null when nothing remains', () => {
    const root: DraftGroup = {
      ...emptyGroup(),
      children: [
        { kind: 'condition', id: 'a', field: 'city', op: 'eq', value: '  ' },
        { ...emptyGroup('or'), children: [{ kind: 'condition', id: 'b', field: 'title', op: 'contains', value: '' }] },
      ],
    };
    expect(toFilter(root, fields)).toBeNull();
    expect(toFilter(emptyGroup(), fields)).toBeNull();
  });

  it('splits list values on commas (also 、) and reads numbers for number fields', () => {
    const company = filterFields('company', [], 'en');
    const root: DraftGroup = {
      ...emptyGroup(),
      children: [
        { kind: 'condition', id: 'a', field: 'prefecture', op: 'in', value: '東京都、大阪府, 京都府' },
        { kind: 'condition', id: 'b', field: 'employeeCount', op: 'between', value: '10,300' },
      ],
    };
    expect(toFilter(root, company)).toEqual({
      and: [
        { field: 'prefecture', op: 'in', value: ['東京都', '大阪府', '京都府'] },
        { field: 'employeeCount', op: 'between', value: [10, 300] },
      ],
    });
  });
});
