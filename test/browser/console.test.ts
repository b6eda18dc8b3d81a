// Shares a process: gateway (its gateways listen on port 0 with the file's own tables; its hooks close them and the browser; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { createToken, request, startTestGateway } from '../e2e/support';
import { browserSkipReason, findChromium } from '../support/chromium';
import { tablesOf } from '../support/dynamo';

const tables = tablesOf(__filename);

// Chromium driven by playwright-core (.ci/run installs Debian's when absent); see findChromium.
const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'console');
const executablePath = findChromium();

describe('local console in a real browser', { skip: browserSkipReason(executablePath) }, () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;
  let token: string;
  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gateway = await startTestGateway(tables, { console: true, appsModule: require.resolve('../../lib/apps') });
    token = (await createToken(gateway, ['partners', 'ops'])).token;
    assert.ok(executablePath, 'CI runs the browser tests: install Chromium (.ci/run does) or set CHROMIUM_PATH');
    browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const openConsole = async () => {
    let transferred = 0;
    const count = (response: { headers(): Record<string, string> }) => (transferred += Number(response.headers()['content-length'] ?? 0));
    page.on('response', count);
    await page.goto(`${gateway.url}/__appapi/`, { waitUntil: 'networkidle' });
    page.off('response', count);
    return transferred;
  };

  it('loads offline-ready and light: one page, no external assets, under 200 KB', async () => {
    const external: string[] = [];
    page.on('request', (outgoing) => !outgoing.url().startsWith(gateway.url) && external.push(outgoing.url()));
    const transferred = await openConsole();
    assert.deepEqual(external, []);
    assert.ok(transferred > 0 && transferred < 200 * 1024, `${transferred} bytes`);
  });

  it('request log → the chain trace of a request', async () => {
    const created = await request(gateway, 'POST', '/customers', { token, body: { name: 'Browser', email: 'browser@example.com' } });
    const requestId = created.headers.get('x-amzn-requestid')!;
    await openConsole();
    const row = page.locator(`tr[data-request="${requestId}"]`);
    assert.match(await row.innerText({ timeout: 10_000 }), /POST\s+\/customers\s+201\s+\d+\s+e2e/, 'method, path, status, latency and key name');
    await row.click();
    const timeline = page.locator('#timeline');
    await timeline.waitFor();
    const text = await timeline.innerText();
    assert.match(text, /airdata\.insert → \$customer/);
    assert.match(text, new RegExp(`TransactWrite ${tables.tableName('customers')}`));
    assert.match(text, /capacity units/);
    await page.screenshot({ path: join(SCREENSHOTS, 'request-trace.png'), fullPage: true });
  });

  it('create a key, and call a route with it from the try-it form', async () => {
    await openConsole();
    await page.getByRole('tab', { name: 'Keys' }).click();
    await page.fill('#new-key input[name="name"]', 'from-the-browser');
    await page.fill('#new-key input[name="groups"]', 'partners');
    await page.click('#new-key button[type="submit"]');
    const shown = await page.locator('#new-token').innerText();
    assert.match(shown, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'key-created.png'), fullPage: true });
    await page.getByRole('tab', { name: 'Routes' }).click();
    await page.click('tr[data-route="ListCustomers"]');
    assert.equal(await page.inputValue('#try input[name="token"]'), shown, 'the new token fills the form');
    await page.fill('#try input[name="query"]', 'email=browser@example.com');
    await page.click('#try button[type="submit"]');
    await page.locator('#try-status').waitFor();
    assert.equal(await page.locator('#try-status').innerText(), '200');
    assert.match(await page.locator('#try-result pre').innerText(), /browser@example.com/);
    await page.screenshot({ path: join(SCREENSHOTS, 'try-it.png'), fullPage: true });
  });

  it('open a journey and see its events', async () => {
    const customer = (await request(gateway, 'POST', '/customers', { token, body: { name: 'Journey', email: 'journey@example.com' } })).body;
    const { journeyId } = (await request(gateway, 'POST', '/bookings', { token, body: { customerId: customer.id, service: 'cut', slot: '2027-03-01T10:00:00Z' } })).body;
    await request(gateway, 'POST', `/bookings/${journeyId}/events`, { token, body: { type: 'note', data: { room: 7 } } });
    await openConsole();
    await page.getByRole('tab', { name: 'Journeys' }).click();
    await page.click(`tr[data-journey="${journeyId}"]`);
    await page.locator('#events li').first().waitFor();
    assert.equal(await page.locator('#events li').count(), 1);
    assert.match(await page.locator('#events').innerText(), /note \{"room":7\}/);
    await page.screenshot({ path: join(SCREENSHOTS, 'journey.png'), fullPage: true });
  });

  it('pages through AirData records of a model', async () => {
    await openConsole();
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.locator('#model').waitFor();
    assert.match(await page.locator('#list table').innerText(), /journey@example.com/);
  });
});
