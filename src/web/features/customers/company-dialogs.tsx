import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorAlert } from '../../ui/error-alert';
import { CompanyForm, companyDraftOf, companyPayload, emptyCompany } from './company-form';
import { ConflictAlert, conflictRows, showValue } from './conflict-alert';
import type { Company } from './customers-api';
import { errorsByPath } from './person-draft';

/** 会社を登録; a suspected duplicate (same name key or 法人番号) can be created anyway. */
export function CompanyCreateModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(emptyCompany);
  const create = useMutation({
    mutationFn: (ignoreDuplicates: boolean) => http.post<Company>('/api/v1/companies', { ...companyPayload(draft), ignoreDuplicates }),
    onSuccess: (company) => {
      void queryClient.invalidateQueries({ queryKey: keys.companies });
      onClose();
      navigate(`/companies/${company.id}`);
    },
  });
  const err = create.error;
  const duplicate = err instanceof ApiError && err.code === 'duplicate_suspected';
  return (
    <Modal opened onClose={onClose} title={t('customers.newCompany')} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(false);
        }}
      >
        <Stack>
          <CompanyForm value={draft} onChange={setDraft} errors={err instanceof ApiError ? errorsByPath(err.issues) : {}} />
          {duplicate ? (
            <Alert color="yellow" title={t('customers.dup.title')} role="alert">
              <Button size="xs" color="yellow" onClick={() => create.mutate(true)}>
                {t('customers.dup.createAnyway')}
              </Button>
            </Alert>
          ) : (
            <ErrorAlert error={err} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Labels of company payload keys that differ from the person field of the same name. */
const companyFieldLabel: Record<string, string> = { name: 'customers.fields.companyName', parentId: 'customers.fields.parent' };

/** Edit a company against its version; on a conflict, both versions side by side, then reload theirs or save mine over it. */
export function CompanyEditor({ company, onDone }: { company: Company; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => companyDraftOf(company));
  const [version, setVersion] = useState(company.version);
  const [theirs, setTheirs] = useState<Company | null>(null);
  const save = useMutation({
    mutationFn: (version: number) => http.patch<Company>(`/api/v1/companies/${company.id}`, { ...companyPayload(draft), version }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.companies });
      notifications.show({ message: t('common.saved'), color: 'green' });
      onDone();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.code === 'conflict') setTheirs((e.details as { current: Company }).current);
    },
  });
  return (
    <form
      data-testid="company-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(version);
      }}
    >
      <Stack>
        {theirs && (
          <ConflictAlert
            rows={conflictRows(
              companyPayload(draft),
              companyPayload(companyDraftOf(theirs)),
              (k) => t(companyFieldLabel[k] ?? `customers.fields.${k}`, { defaultValue: k }),
              (k, side) => {
                const d = side === 'mine' ? draft : companyDraftOf(theirs);
                return k === 'parentId' ? d.parent?.name : showValue(companyPayload(d)[k]);
              },
            )}
            onReload={() => {
              setDraft(companyDraftOf(theirs));
              setVersion(theirs.version);
              setTheirs(null);
              save.reset();
            }}
            onReapply={() => {
              setVersion(theirs.version);
              setTheirs(null);
              save.mutate(theirs.version);
            }}
          />
        )}
        <CompanyForm
          value={draft}
          onChange={setDraft}
          selfId={company.id}
          errors={save.error instanceof ApiError ? errorsByPath(save.error.issues) : {}}
        />
        {!theirs && <ErrorAlert error={save.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending} disabled={theirs !== null}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
