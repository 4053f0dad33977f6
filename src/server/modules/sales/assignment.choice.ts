/** Pure choices of the next assignee; candidates are active users' ids in a stable (id) order. */

/** Round robin: the candidate after the last one assigned (wrapping), skipping `exclude`; the first when none was yet. */
export function nextInRotation(candidates: readonly string[], lastId: string | null, exclude: readonly string[] = []): string | null {
  const eligible = candidates.filter((c) => !exclude.includes(c));
  if (!eligible.length) return null;
  if (!lastId) return eligible[0] as string;
  // The last assignee may have left the team since: the next is the first id after it in the same order.
  return eligible.find((c) => c > lastId) ?? (eligible[0] as string);
}

/** Least loaded: fewest open leads + deals; a tie goes to the next in rotation after the last assignee, so ties spread. */
export function pickLeastLoaded(
  candidates: readonly string[],
  load: ReadonlyMap<string, number>,
  lastId: string | null,
  exclude: readonly string[] = [],
): string | null {
  const eligible = candidates.filter((c) => !exclude.includes(c));
  if (!eligible.length) return null;
  const min = Math.min(...eligible.map((c) => load.get(c) ?? 0));
  return nextInRotation(
    eligible.filter((c) => (load.get(c) ?? 0) === min),
    lastId,
  );
}

/** Territory: the user of the first territory listing the prefecture. */
export function territoryUser(territories: readonly { prefectures: string[]; userId: string }[], prefecture: string | null): string | null {
  if (!prefecture) return null;
  return territories.find((t) => t.prefectures.includes(prefecture))?.userId ?? null;
}
