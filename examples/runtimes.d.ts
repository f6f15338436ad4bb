// For this repository's own typecheck only (tsconfig.json includes examples/): the few Deno,
// Bun and Workers globals the examples use. Real projects get them from Deno itself, @types/bun
// and `wrangler types` / @cloudflare/workers-types — do not copy this file.
declare namespace Deno {
  const env: { get(name: string): string | undefined };
  function serve(
    options: { port?: number; hostname?: string },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
}

declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: {
    port?: number;
    hostname?: string;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { url: URL; port: number };
};

declare module 'cloudflare:workers' {
  export const env: Record<string, unknown>;
}
