/**
 * The stand-in started alone (stand-in/main.ts in a child process) and driven over HTTP: the
 * /_stand-in/ control routes put objects, mark them deleted, set entitlements, list the recorded
 * requests, inject faults and reset; the real `stripe` SDK sees the effect. SIGTERM stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import Stripe from 'stripe';
import { billingMeter } from '../../stand-in/account-objects';
import * as build from '../../stand-in/events';
import { http } from '../../stand-in/http-client';
import { DEFAULT_PORT, parseArgs } from '../../stand-in/main';
import { failure, stripeFor } from '../support/stand-in';

const root = resolve(__dirname, '../..');
let child: ChildProcess;
let url: string;
let stripe: Stripe;

beforeAll(async () => {
  child = spawn(process.execPath, ['-r', './test/support/ts-register.js', 'stand-in/main.ts', '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`stand-in exited with ${String(code)}`)));
  });
  stripe = stripeFor({ port: Number(new URL(url).port) });
});

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
});

const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> =>
  http(method, `${url}/_stand-in${path}`, {
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('parseArgs', () => {
  it('reads --port and --api-key and names a bad flag', () => {
    expect(parseArgs([])).toEqual({ port: DEFAULT_PORT });
    expect(parseArgs(['--port', '0', '--api-key=sk_test_x'])).toEqual({ port: 0, apiKey: 'sk_test_x' });
    expect(() => parseArgs(['--port', 'abc'])).toThrow(/--port/);
    expect(() => parseArgs(['--verbose'])).toThrow(/--verbose/);
  });
});

describe('control routes', () => {
  it('puts objects the SDK then reads, marks them deleted and forgets them', async () => {
    const cus = build.customer();
    expect(await control('POST', '/objects', cus)).toMatchObject({ status: 201, json: { id: cus.id } });
    expect((await stripe.customers.retrieve(cus.id)).id).toBe(cus.id);
    expect((await control('POST', `/objects/${cus.id}/deleted`)).status).toBe(200);
    expect(await stripe.customers.retrieve(cus.id)).toEqual({ id: cus.id, object: 'customer', deleted: true });
    const charge = build.object('charge');
    await control('POST', '/objects', charge);
    expect((await control('DELETE', `/objects/${charge.id}`)).status).toBe(200);
    expect(await failure(stripe.charges.retrieve(charge.id))).toMatchObject({ statusCode: 404 });
    expect((await control('GET', '/objects/ch_nothing')).status).toBe(404);
  });

  it('sets entitlements and adds events', async () => {
    const put = await control('PUT', '/entitlements/cus_C', {
      entitlements: [{ lookup_key: 'seats' }, { lookup_key: 'api', id: 'ent_api' }],
    });
    expect(put.status).toBe(200);
    const listed = await stripe.entitlements.activeEntitlements.list({ customer: 'cus_C' });
    expect(listed.data.map((e) => e.lookup_key).sort()).toEqual(['api', 'seats']);
    const evt = build.event('customer.created', build.customer(), { id: 'evt_ctl', created: 123 });
    expect((await control('POST', '/events', { event: evt })).status).toBe(201);
    expect((await stripe.events.retrieve('evt_ctl')).created).toBe(123);
  });

  it('lists recorded requests (control requests excluded), injects faults and resets', async () => {
    await control('POST', '/reset');
    await failure(stripe.customers.retrieve('cus_none'));
    const log = (await control('GET', '/requests')).json as {
      requests: Array<{ method: string; path: string; status: number }>;
      unexpected: string[];
    };
    expect(log.requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/v1/customers/cus_none', status: 404 }),
    ]);
    expect(log.unexpected).toEqual([]);

    expect(
      (await control('POST', '/faults', { rate: 1, statuses: [500], paths: '^/v1/customers', times: 1 })).status,
    ).toBe(200);
    expect(await failure(stripe.customers.list())).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((await stripe.customers.list()).data).toEqual([]);
    expect(((await control('GET', '/requests')).json as { faults_injected: number }).faults_injected).toBe(1);

    await control('POST', '/objects', build.product({ id: 'prod_keep' }));
    await control('POST', '/reset');
    expect(await failure(stripe.products.retrieve('prod_keep'))).toMatchObject({ statusCode: 404 });
    expect(((await control('GET', '/requests')).json as { requests: unknown[] }).requests).toHaveLength(1);
  });

  it('answers bad input with a 400 naming the field and changes nothing', async () => {
    await control('POST', '/reset');
    const bad = async (path: string, body: unknown, param: string): Promise<void> => {
      const res = await control('POST', path, body);
      expect({ status: res.status, param: (res.json as { error: { param: string } }).error.param }).toEqual({
        status: 400,
        param,
      });
    };
    await bad('/faults', { rate: 2, statuses: [500] }, 'rate');
    await bad('/faults', { rate: 1, statuses: [] }, 'statuses');
    await bad('/faults', { rate: 1, statuses: [500], paths: '(' }, 'paths');
    await bad('/objects', { object: 'customer' }, 'id');
    await bad('/latency', { ms: -1 }, 'ms');
    await bad('/meters/refused-customers', { customer: 'nobody' }, 'customer');
    await bad('/meters/loss', { fraction: 1.5 }, 'fraction');
    await bad('/meters/behaviour', { sample_shape: 'other' }, 'sample_shape');
    await bad('/meters/destination', { url: 'http://127.0.0.1:1/hook', secret: 'nope' }, 'secret');
    expect((await stripe.customers.list()).data).toEqual([]);
    expect((await control('GET', '/nothing')).status).toBe(404);
  });

  it("refuses a customer's meter events and loses events, like Stripe's asynchronous validation", async () => {
    await control('POST', '/reset');
    await control('POST', '/objects', billingMeter({ event_name: 'api_calls' }));
    expect((await control('POST', '/meters/refused-customers', { customer: 'cus_nomap' })).status).toBe(200);
    expect((await control('POST', '/meters/behaviour', { sample_limit: 1, summary_lag_ms: 0 })).status).toBe(200);
    const session = await stripe.v2.billing.meterEventSession.create();
    const event = (identifier: string, customer: string) => ({
      event_name: 'api_calls',
      identifier,
      payload: { stripe_customer_id: customer, value: '2' },
    });
    await stripe.v2.billing.meterEventStream.create(
      { events: [event('r1', 'cus_nomap'), event('r2', 'cus_ok')] },
      { apiKey: session.authentication_token },
    );
    const [meter] = (await stripe.billing.meters.list()).data;
    const hour = Math.floor(Date.now() / 3_600_000) * 3600;
    const counted = async (customer: string) =>
      (await stripe.billing.meters.listEventSummaries(meter.id, { customer, start_time: hour, end_time: hour + 3600 }))
        .data[0].aggregated_value;
    expect([await counted('cus_nomap'), await counted('cus_ok')]).toEqual([0, 2]);
    expect((await control('DELETE', '/meters/refused-customers/cus_nomap')).status).toBe(200);
    expect((await control('POST', '/meters/loss', { fraction: 1, seed: 3 })).status).toBe(200);
    await stripe.v2.billing.meterEventStream.create(
      { events: [event('r3', 'cus_ok')] },
      { apiKey: session.authentication_token },
    );
    expect(await counted('cus_ok')).toBe(2);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
