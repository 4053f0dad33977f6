import { Button, Group, Select, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import type { PostalResult } from './customers-api';

/** 郵便番号 with a look-up button: one answer fills the address, several let the user pick. */
export function PostalLookup({
  value,
  onChange,
  onAddress,
  error,
}: {
  value: string;
  onChange: (v: string) => void;
  onAddress: (a: PostalResult) => void;
  error?: string;
}) {
  const { t } = useTranslation();
  const [candidates, setCandidates] = useState<PostalResult[]>([]);
  const lookup = useMutation({
    mutationFn: () => http.get<{ data: PostalResult[] }>(`/api/v1/postal-codes/${encodeURIComponent(value.trim())}`),
    onSuccess: ({ data }) => {
      setCandidates(data.length > 1 ? data : []);
      if (data.length === 1) onAddress(withHyphen(data[0]!));
    },
  });
  const label = (a: PostalResult) => `${a.prefecture}${a.city}${a.town}`;
  return (
    <div>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput
          label={t('customers.fields.postalCode')}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              lookup.mutate();
            }
          }}
          placeholder="100-0001"
          error={error}
          w={160}
        />
        <Button
          variant="default"
          leftSection={<IconSearch size={14} />}
          loading={lookup.isPending}
          disabled={!value.trim()}
          onClick={() => lookup.mutate()}
        >
          {t('customers.form.postalLookup')}
        </Button>
      </Group>
      {/* A malformed code (400) or one no address has (404): the server's message, in the user's language. */}
      {lookup.error && (
        <Text size="sm" c="red" mt={4} role="alert">
          {lookup.error.message}
        </Text>
      )}
      {candidates.length > 1 && (
        <Select
          mt="xs"
          label={t('customers.form.postalPick')}
          data={candidates.map((a, i) => ({ value: String(i), label: label(a) }))}
          onChange={(i) => {
            if (i === null) return;
            onAddress(withHyphen(candidates[Number(i)]!));
            setCandidates([]);
          }}
        />
      )}
    </div>
  );
}

/** 〒 codes are written 100-0001. */
const withHyphen = (a: PostalResult): PostalResult => ({ ...a, postalCode: a.postalCode.replace(/^(\d{3})-?(\d{4})$/, '$1-$2') });
