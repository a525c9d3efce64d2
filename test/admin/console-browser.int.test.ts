/**
 * The operator console in a real browser (Debian's Chromium through playwright-core; see
 * test/support/browser.ts), against the real service: login, search, the locked-out customer's
 * story, a hostile name, a resync, the cross-site and Bull Board refusals, read-only mode. One
 * browser for the file; one logged-in page reused. Takes the customer page's screenshot on the way
 * (docs/console-customer.png with CONSOLE_SCREENSHOT=1).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  adminEnv,
  type ConsoleStory,
  HOSTILE_NAME,
  reactivateInStripe,
  seedConsoleStory,
} from '../support/console-story';
import { Receiver } from '../support/receiver';
import { startTestService, type TestService } from '../support/service';

/** README's screenshot, refreshed with CONSOLE_SCREENSHOT=1 (else taken into the temp dir, so runs leave git clean). */
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT
  ? join(__dirname, '..', '..', 'docs', 'console-customer.png')
  : join(tmpdir(), 'console-customer.png');

let t: TestService;
let receiver: Receiver;
let story: ConsoleStory;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Dialogs (alert, confirm) any page opened: a script that ran. */
const dialogs: string[] = [];

beforeAll(async () => {
  receiver = await Receiver.start();
  [t, browser] = await Promise.all([
    startTestService({
      ...adminEnv,
      ACCESS_WEBHOOK_URL: receiver.url,
      ACCESS_WEBHOOK_SECRET: 'console-hook-secret-0123',
    }),
    launchChromium(),
  ]);
  story = await seedConsoleStory(t);
  context = await browser.newContext({
    httpCredentials: { username: ADMIN_USER, password: ADMIN_PASSWORD },
    viewport: { width: 1280, height: 900 },
  });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await receiver?.close();
});

const customerUrl = (id: string) => `${t.url}/admin/customers/${id}`;

test('without credentials, or with wrong ones, the console and the board answer 401', async () => {
  for (const credentials of [undefined, { username: ADMIN_USER, password: 'wrong' }]) {
    const other = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
    try {
      const p = await other.newPage();
      const statuses: number[] = [];
      p.on('response', (r) => statuses.push(r.status()));
      for (const path of ['/admin', `/admin/customers/${story.lockedOut.customer}`, '/admin/queues']) {
        // Chromium gives up on a refused challenge with ERR_INVALID_AUTH_CREDENTIALS; a 401 page is as good.
        const res = await p.goto(`${t.url}${path}`).catch((error: Error) => {
          expect(error.message).toContain('ERR_INVALID_AUTH_CREDENTIALS');
          return null;
        });
        if (res) expect(res.status()).toBe(401);
      }
      expect(statuses.length).toBeGreaterThanOrEqual(3);
      expect(statuses.every((s) => s === 401)).toBe(true);
    } finally {
      await other.close();
    }
  }
});

test('searching by email (any case) lands on the customer page', async () => {
  await page.goto(`${t.url}/admin`);
  expect(await page.locator('h1').textContent()).toBe('Overview');
  await page.fill('input[name=q]', story.lockedOut.email.toUpperCase());
  await Promise.all([page.waitForURL(customerUrl(story.lockedOut.customer)), page.press('input[name=q]', 'Enter')]);
  expect(await page.locator('h1').textContent()).toContain(story.lockedOut.name);
});

test("a locked-out customer's page names the failed invoice as the reason", async () => {
  await page.goto(customerUrl(story.lockedOut.customer));
  const answer = page.locator('.answer');
  expect(await answer.textContent()).toContain('No access');
  expect(await answer.textContent()).toContain(`payment_failed:${story.lockedOut.failedInvoice}`);
  const cause = page.locator(`tr.cause`);
  expect(await cause.count()).toBe(1);
  expect(await cause.getAttribute('id')).toBe(story.lockedOut.failedInvoice);
  expect(await cause.textContent()).toContain('card_declined');
  // The rest of the story: the item's product, the entitlement, the usage, the events, the notifications.
  const body = (await page.locator('main').textContent()) ?? '';
  for (const text of ['Pro plan', 'pro-features', 'api_requests', 'invoice.payment_failed', 'webhook', 'delivered'])
    expect(body).toContain(text);
  const stripeLinks = await page.locator('a.id').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(stripeLinks).toContain(`https://dashboard.stripe.com/test/invoices/${story.lockedOut.failedInvoice}`);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

test('a hostile customer name renders as text and runs nothing', async () => {
  await page.goto(customerUrl(story.hostile.customer));
  expect(await page.locator('h1').textContent()).toContain(HOSTILE_NAME);
  expect(await page.locator('img, script').count()).toBe(0);
  expect(await page.evaluate('window.pwned')).toBeUndefined();
  await page.goto(`${t.url}/admin/customers?q=${encodeURIComponent(story.hostile.email)}`);
  expect(page.url()).toBe(customerUrl(story.hostile.customer));
  expect(await page.evaluate('window.pwned')).toBeUndefined();
  expect(dialogs).toEqual([]);
});

test('after Stripe changed with no event, a resync fixes the page', async () => {
  await page.goto(customerUrl(story.stale.customer));
  expect(await page.locator('.answer').textContent()).toContain('No access');
  reactivateInStripe(t, story);
  await Promise.all([page.waitForURL(/\/resync$/), page.click('button:has-text("Resync from Stripe")')]);
  const banner = (await page.locator('.banner').textContent()) ?? '';
  expect(banner).toContain('Resynced from Stripe');
  expect(banner).toMatch(/subscription sub_\w+ status: past_due → active/);
  expect(await page.locator('.answer').textContent()).toContain('Access');
  expect(await page.locator('.answer').textContent()).not.toContain('No access');
});

/** A page on another origin with the forms an attacker would put there. */
async function attackerSite(target: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html>
<form id="resync" method="post" action="${target}/admin/customers/${story.lockedOut.customer}/resync"><button>resync</button></form>
<form id="add" method="post" action="${target}/admin/queues/api/queues/stripe-events/add">
<input name="name" value="customer.updated"><input name="data" value="{}"><button>add</button></form>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  // localhost, not 127.0.0.1: another site for the browser.
  return { url: `http://localhost:${(server.address() as AddressInfo).port}/`, server };
}

test('a cross-site form post and a Bull Board add-job post are refused and change nothing', async () => {
  const queue = t.service.eventQueues!.partitions[0];
  const countsBefore = await queue.getJobCounts();
  const retrieves = () => t.standIn.countRequests({ method: 'GET', pathPrefix: '/v1/customers/' });
  const retrievesBefore = retrieves();
  const attacker = await attackerSite(t.url);
  try {
    for (const form of ['resync', 'add']) {
      await page.goto(attacker.url);
      const [response] = await Promise.all([page.waitForNavigation(), page.click(`#${form} button`)]);
      expect(response?.status()).toBe(403);
    }
  } finally {
    attacker.server.close();
  }
  // From the board's own page (same origin): adding a job is refused for everyone; a retry is not.
  await page.goto(`${t.url}/admin/queues`);
  const status = await page.evaluate(async () => {
    const res = await fetch('/admin/queues/api/queues/stripe-events/add', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'customer.updated', data: { event: { id: 'evt_forged' } } }),
    });
    return res.status;
  });
  expect(status).toBe(403);
  expect(await queue.getJobCounts()).toEqual(countsBefore);
  expect(await queue.getJob('evt_forged')).toBeUndefined();
  expect(retrieves()).toBe(retrievesBefore);
});

test('read-only mode: the resync button is disabled and a forced resync is refused with 403', async () => {
  const readOnly = await startTestService({ ...adminEnv, ADMIN_READ_ONLY: 'true' });
  try {
    const p = await context.newPage();
    await p.goto(`${readOnly.url}/admin/customers/${story.stale.customer}`);
    expect(await p.locator('.badge').textContent()).toBe('read-only');
    const button = p.locator('button:has-text("Resync from Stripe")');
    expect(await button.isDisabled()).toBe(true);
    await button.evaluate((b) => b.removeAttribute('disabled'));
    const [response] = await Promise.all([p.waitForNavigation(), button.click()]);
    expect(response?.status()).toBe(403);
    expect(readOnly.standIn.countRequests({ method: 'GET', pathPrefix: '/v1/customers/' })).toBe(0);
    await p.close();
  } finally {
    await readOnly.stop();
  }
});

test('the customer page reads at phone width: no sideways scrolling of the page itself', async () => {
  const p = await context.newPage();
  await p.setViewportSize({ width: 390, height: 844 });
  await p.goto(customerUrl(story.lockedOut.customer));
  const overflow = await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow).toBeLessThanOrEqual(0);
  await p.close();
});
