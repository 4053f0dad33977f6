import { TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';

/**
 * A list's search box: what is typed, and the trimmed search to send, settled 250 ms after the last key so a list
 * is not read again on every keystroke.
 */
export function useListSearch() {
  const [text, setText] = useState('');
  const [search] = useDebouncedValue(text.trim(), 250);
  return { text, setText, search };
}

export function ListSearchBox({
  label,
  placeholder,
  value,
  onChange,
  width,
}: {
  label: string;
  placeholder: string;
  value: string;
  onChange: (text: string) => void;
  width: number;
}) {
  return (
    <TextInput
      type="search"
      aria-label={label}
      placeholder={placeholder}
      leftSection={<IconSearch size={16} />}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      w={{ base: '100%', xs: width }}
    />
  );
}
