import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  ComposeBody,
  Email,
  EmailSummary,
  EmailTemplate,
  ImapPollResult,
  ImapTestResult,
  MailSettings,
  MailSettingsPatch,
} from '../../../shared/contracts/mail';
import { api, http } from '../../app/api-client';

/** A file uploaded for the mail being composed (a draft until the mail is sent). */
export interface DraftAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export function uploadDraftAttachment(file: File) {
  return api<DraftAttachment>('POST', '/api/v1/emails/attachments', {
    query: { filename: file.name },
    raw: { body: file, contentType: file.type || 'application/octet-stream' },
  });
}

/** Take a draft off the compose dialog (the server removes the file). */
export function discardDraftAttachment(id: string) {
  return api<null>('DELETE', `/api/v1/emails/attachments/${id}`);
}

export type { Email, EmailSummary, EmailTemplate, MailSettings };

const mailKeys = {
  settings: ['mail', 'settings'] as const,
  templates: ['mail', 'templates'] as const,
  review: ['mail', 'review'] as const,
  thread: (id: string) => ['mail', 'thread', id] as const,
};

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export function useMailSettings(enabled = true) {
  return useQuery({ queryKey: mailKeys.settings, queryFn: () => http.get<MailSettings>('/api/v1/mail/settings'), enabled });
}

export function useUpdateMailSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: MailSettingsPatch) => http.patch<MailSettings>('/api/v1/mail/settings', patch),
    onSuccess: (s) => qc.setQueryData(mailKeys.settings, s),
  });
}

export function useTestSend() {
  return useMutation({ mutationFn: (to: string) => http.post<{ messageId: string }>('/api/v1/mail/settings/test', { to }) });
}

export function useTestImap() {
  return useMutation({ mutationFn: () => http.post<ImapTestResult>('/api/v1/mail/settings/imap/test') });
}

/** Poll now; the settings (last checked, last error) and the review list change with it. */
export function usePollImap() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => http.post<ImapPollResult>('/api/v1/mail/settings/imap/poll'),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: mailKeys.settings });
      void qc.invalidateQueries({ queryKey: mailKeys.review });
    },
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: mailKeys.templates,
    queryFn: () => http.get<{ data: EmailTemplate[] }>('/api/v1/mail/templates').then((r) => r.data),
  });
}

export function useSaveTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id?: string; version?: number; name: string; subject: string; body: string }) =>
      input.id
        ? http.patch<EmailTemplate>(`/api/v1/mail/templates/${input.id}`, {
            version: input.version,
            name: input.name,
            subject: input.subject,
            body: input.body,
          })
        : http.post<EmailTemplate>('/api/v1/mail/templates', { name: input.name, subject: input.subject, body: input.body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: mailKeys.templates }),
  });
}

export function useDeleteTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => http.delete<null>(`/api/v1/mail/templates/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: mailKeys.templates }),
  });
}

export function previewEmail(input: { personId: string; subject: string; body: string }) {
  return http.post<{ subject: string; body: string; to: string[] }>('/api/v1/emails/preview', input);
}

export function useSendEmail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ComposeBody) => http.post<Email>('/api/v1/emails', input),
    onSuccess: () => {
      // the record's timeline (its query key starts with 'timeline')
      void qc.invalidateQueries({ queryKey: ['timeline'] });
      void qc.invalidateQueries({ queryKey: ['mail'] });
    },
  });
}

export function useThread(emailId: string) {
  return useQuery({
    queryKey: mailKeys.thread(emailId),
    queryFn: () => http.get<{ data: Email[] }>(`/api/v1/emails/${emailId}/thread`).then((r) => r.data),
  });
}

export function useReviewList() {
  return useInfiniteQuery({
    queryKey: mailKeys.review,
    queryFn: ({ pageParam }) => http.get<Page<EmailSummary>>('/api/v1/mail/review', { cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useLinkReviewed() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { emailId: string; personId: string }) =>
      http.post<{ linked: number }>(`/api/v1/mail/review/${input.emailId}/link`, { personId: input.personId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: mailKeys.review }),
  });
}

export function useDismissReviewed() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (emailId: string) => http.post<{ linked: number }>(`/api/v1/mail/review/${emailId}/dismiss`),
    onSuccess: () => qc.invalidateQueries({ queryKey: mailKeys.review }),
  });
}

export interface PersonHit {
  id: string;
  displayName: string;
  emails: { address: string }[];
}

export function searchPeople(q: string) {
  return http.get<{ people: PersonHit[] }>('/api/v1/search', { q, limit: 10 }).then((r) => r.people);
}
