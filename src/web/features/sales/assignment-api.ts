import { useQuery } from '@tanstack/react-query';
import type { AssignmentObjectType, AssignmentRule, AssignmentSettings } from '../../../shared/contracts/assignment';
import { http } from '../../app/api-client';

export type { AssignmentObjectType, AssignmentRule, AssignmentSettings };

export const assignmentKeys = {
  all: ['assignment'] as const,
  rules: (objectType: AssignmentObjectType) => ['assignment', 'rules', objectType] as const,
  settings: ['assignment', 'settings'] as const,
};

export function useAssignmentRules(objectType: AssignmentObjectType) {
  return useQuery({
    queryKey: assignmentKeys.rules(objectType),
    queryFn: () => http.get<{ data: AssignmentRule[] }>('/api/v1/assignment-rules', { objectType }),
    select: (r) => r.data,
  });
}

export function useAssignmentSettings() {
  return useQuery({ queryKey: assignmentKeys.settings, queryFn: () => http.get<AssignmentSettings>('/api/v1/assignment-settings') });
}
