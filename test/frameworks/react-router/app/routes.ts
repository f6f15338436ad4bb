import { index, route, type RouteConfig } from '@react-router/dev/routes';

export default [
  index('routes/home.tsx'),
  route('login', 'routes/login.ts'),
  // The proxy: every path under /api/aui (a splat), GET through `loader`, POST through `action`.
  route('api/aui/*', 'routes/api.aui.ts'),
] satisfies RouteConfig;
