import type { EntityType } from './customers-api';
import { type DraftOf, recordEntities } from './record-entities';
import { type FieldProps, RecordFields } from './record-fields';

/** A person's or a company's fields, for creating and editing: the entity's layout, drawn by one renderer. */
export function RecordForm<E extends EntityType>({ entity, ...props }: FieldProps<DraftOf<E>> & { entity: E }) {
  return <RecordFields fields={recordEntities[entity].fields} {...props} />;
}
