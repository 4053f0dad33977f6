import { Alert, List } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError } from '../app/api-client';

/** A failed form submission: the server's message (already in the user's language) and each invalid field. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <Alert color="red" icon={<IconAlertTriangle />} role="alert">
      {message}
      {issues.length > 0 && (
        <List size="sm" mt="xs">
          {issues.map((i) => (
            <List.Item key={`${i.path}:${i.message}`}>{i.path ? `${i.path}: ${i.message}` : i.message}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
