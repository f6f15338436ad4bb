// Cloudflare Worker for the matrix: its fetch handler runs the scenario in workerd, split across
// two requests on the same task (nothing, and no socket, is shared between requests: each builds
// its own client), with the key from an `env` binding as a real Worker would.
//   POST /first            → tasks.create, messages.send, one streamed turn → { task_id, … }
//   POST /second?task_id=… → a second streamed turn on that task, then the wrong-key errors
// Bundled by scripts/runtimes.mjs (esbuild, conditions workerd/worker/browser) from the staging
// folder, so `aui-messaging` is the packed tarball's web build.
import { firstHalf, secondHalf, type MockInfo } from '../shared/scenario.ts';

interface Env {
  AUI_NETWORK_API_KEY: string;
  AUI_BASE_URL: string;
  AUI_WS_URL: string;
}

const info = (env: Env): MockInfo => ({
  url: env.AUI_BASE_URL,
  wsUrl: env.AUI_WS_URL,
  apiKey: env.AUI_NETWORK_API_KEY,
});

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/first') return Response.json(await firstHalf(info(env)));
      if (url.pathname === '/second')
        return Response.json(await secondHalf(info(env), url.searchParams.get('task_id') ?? ''));
      return new Response('not found', { status: 404 });
    } catch (error) {
      const message =
        error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
      return Response.json({ error: message }, { status: 500 });
    }
  },
};
