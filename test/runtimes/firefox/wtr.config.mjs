// Firefox ESR (Debian's) via puppeteer over WebDriver BiDi. FIREFOX_PATH is set by
// scripts/runtimes.mjs from `command -v firefox-esr`. .puppeteerrc.cjs skips puppeteer's download.
import { puppeteerLauncher } from '@web/test-runner-puppeteer';
import { matrixConfig } from '../shared/wtr.mjs';

export default matrixConfig({
  browsers: [
    puppeteerLauncher({
      launchOptions: {
        browser: 'firefox',
        executablePath: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr',
        headless: true,
      },
    }),
  ],
});
