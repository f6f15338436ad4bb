import type { Config } from '@react-router/dev/config';

// Server rendering on (the default), so the chat page's modules also run on the server.
export default { ssr: true } satisfies Config;
