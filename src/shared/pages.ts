// shared/pages — when a walk over `tasks.list` pages stops. The SDK's `tasks.iterate` and the
// browser client's `tasks.iterate` read the same TaskPage shape, so they stop on the same rule.
// A leaf: imports nothing.

/** The numbers of a task page that decide whether another page can follow. */
export interface PageCounts {
  tasks: readonly unknown[];
  total: number;
  size: number;
}

/**
 * True when `result` (page number `page`, 1-based) is the last page: it is empty, shorter than
 * a full page, or reaches `total`. Any one of them is enough, so a server that miscounts
 * `total` still ends the walk.
 */
export function isLastPage(page: number, result: PageCounts): boolean {
  return result.tasks.length === 0 || result.tasks.length < result.size || page * result.size >= result.total;
}
