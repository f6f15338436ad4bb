// server/routes — the proxy's five routes and nothing else (or, with `protocol: 'ai-sdk'`, the
// one `useChat` route), matched on the URL path: which route a request names, or that the path
// is unknown (404), or that the method is wrong (405 with `allow`). The task id stays exactly as
// it arrived (still percent-encoded); checking it is a later step. Imports shared/ only.

import { withoutTrailingSlashes } from '../shared/values.ts';

/** The routes `createProxyClient` calls. */
export type ProxyRoute = 'createTask' | 'listTasks' | 'taskMessages' | 'send' | 'stream';
/** Every route a handler can serve: the proxy's, or `chat` for `protocol: 'ai-sdk'`. */
export type RouteName = ProxyRoute | 'chat';

type RouteMatch =
  | { kind: 'unknown' }
  | { kind: 'method'; allow: string[] }
  | { kind: 'route'; route: RouteName; allow: string[]; rawId?: string };

// Path under the base → method → route. `:id` is the one path parameter.
const TABLE: Array<{ path: string[]; methods: Record<string, ProxyRoute> }> = [
  { path: ['tasks'], methods: { GET: 'listTasks', POST: 'createTask' } },
  { path: ['tasks', ':id', 'messages'], methods: { GET: 'taskMessages' } },
  { path: ['messages'], methods: { POST: 'send' } },
  { path: ['messages', 'stream'], methods: { POST: 'stream' } },
];

/** `'/api/aui/'` → `'/api/aui'`; `'/'` → `''`. */
export function normaliseBase(basePath: string): string {
  const trimmed = withoutTrailingSlashes(basePath);
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

export function matchRoute(pathname: string, base: string, method: string): RouteMatch {
  if (!pathname.startsWith(`${base}/`)) return { kind: 'unknown' };
  // Empty segments (`//`, a trailing `/`) match nothing: one spelling per route.
  const segments = pathname.slice(base.length + 1).split('/');
  for (const entry of TABLE) {
    if (entry.path.length !== segments.length) continue;
    let rawId: string | undefined;
    const fits = entry.path.every((part, i) => {
      const segment = segments[i] as string;
      if (part !== ':id') return part === segment;
      rawId = segment;
      return segment !== '';
    });
    if (!fits) continue;
    const allow = Object.keys(entry.methods);
    const route = entry.methods[method];
    if (!route) return { kind: 'method', allow };
    return rawId === undefined ? { kind: 'route', route, allow } : { kind: 'route', route, allow, rawId };
  }
  return { kind: 'unknown' };
}

/** `protocol: 'ai-sdk'`: `POST {base}` itself, the URL `useChat` posts to, and nothing else. */
export function matchChatRoute(pathname: string, base: string, method: string): RouteMatch {
  if (pathname !== (base || '/')) return { kind: 'unknown' };
  if (method !== 'POST') return { kind: 'method', allow: ['POST'] };
  return { kind: 'route', route: 'chat', allow: ['POST'] };
}
