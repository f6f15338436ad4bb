// WebKitGTK (Debian's MiniBrowser) through WebKitWebDriver, which scripts/runtimes.mjs starts under
// xvfb-run on WEBKIT_DRIVER_PORT and stops afterwards. Capabilities as verified on Debian 12.
import { webdriverLauncher } from '@web/test-runner-webdriver';
import { matrixConfig } from '../shared/wtr.mjs';

const port = Number(process.env.WEBKIT_DRIVER_PORT);
if (!port) throw new Error('WEBKIT_DRIVER_PORT is not set: run WebKit through scripts/runtimes.mjs');

export default matrixConfig({
  browsers: [
    webdriverLauncher({
      hostname: '127.0.0.1',
      port,
      path: '/',
      logLevel: 'error',
      capabilities: {
        'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': {
          binary: process.env.WEBKIT_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
          args: ['--automation'],
        },
      },
    }),
  ],
});
