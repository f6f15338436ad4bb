// Chromium (Debian's, via the Playwright launcher as in the root web-test-runner.config.mjs).
// CHROMIUM_PATH, else /usr/bin/chromium; scripts/runtimes.mjs checks it exists first.
import { playwrightLauncher } from '@web/test-runner-playwright';
import { matrixConfig } from '../shared/wtr.mjs';

const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default matrixConfig({
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args,
      },
    }),
  ],
});
