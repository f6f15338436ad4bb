// Types of bench/common.mjs, for the benchmarks written in TypeScript (bench/soak.ts).

/** The middle value; the mean of the two middle values for an even count. */
export function median(xs: number[]): number;

/** Which source the build came from: HEAD, and whether src/ had uncommitted changes. */
export function buildInfo(): string;

/** The head of every report; `loadBefore` is os.loadavg() taken when the run started. */
export function runInfo(loadBefore: number[]): {
  date: string;
  node: string;
  build: string;
  cpus: number;
  loadavgBefore: number[];
  loadavgAfter: number[];
};
