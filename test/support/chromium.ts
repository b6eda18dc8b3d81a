import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/**
 * The Chromium (or Chrome) to drive: CHROMIUM_PATH when set, else playwright's own download
 * (`npx playwright-core install chromium`), else where Debian, Ubuntu and macOS install it.
 * A CHROMIUM_PATH that names no file is an error, not a reason to look elsewhere.
 */
export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is "${configured}", which does not exist.`);
    return configured;
  }
  const candidates = [
    playwrightChromium(),
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ];
  return candidates.find((path): path is string => path !== undefined && existsSync(path));
}

function playwrightChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined; // no browser registry for this platform
  }
}

/** Why browser tests are skipped on this machine, or false to run them; CI never skips (.ci/run installs Chromium). */
export function browserSkipReason(executablePath: string | undefined): string | false {
  if (executablePath || process.env.CI) return false;
  return 'no Chromium found: set CHROMIUM_PATH, or install it (sudo apt-get install chromium; brew install --cask chromium)';
}
