// The part of `bun:test` that runtime.test.ts uses, for the root typecheck (no bun-types here).
declare module 'bun:test' {
  export function test(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
}
