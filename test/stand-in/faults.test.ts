/**
 * Tests of the Stripe stand-in's fault injection, latency and options through the real `stripe` SDK.
 */
import Stripe from 'stripe';
import { StripeStandIn } from '../../stand-in/index';
import * as build from '../../stand-in/events';
import { failure, stripeFor, useStandIn } from '../support/stand-in';

const { StripeRateLimitError, StripeAPIError, StripeAuthenticationError, TemporarySessionExpiredError } = Stripe.errors;
const f = useStandIn();

describe('faults', () => {
  it('a 429 raises StripeRateLimitError and a 500 StripeAPIError', async () => {
    f.standIn.put(build.customer({ id: 'cus_f' }));
    f.standIn.setFaults({ rate: 1, statuses: [429], times: 1 });
    expect(await failure(f.stripe.customers.retrieve('cus_f'))).toBeInstanceOf(StripeRateLimitError);
    expect((await f.stripe.customers.retrieve('cus_f')).id).toBe('cus_f');
    f.standIn.setFaults({ rate: 1, statuses: [500], paths: /^\/v1\/customers/ });
    expect(await failure(f.stripe.customers.retrieve('cus_f'))).toBeInstanceOf(StripeAPIError);
    expect(f.standIn.requests.filter((r) => r.faulted).map((r) => r.status)).toEqual([429, 500]);

    const session = await f.stripe.v2.billing.meterEventSession.create();
    f.standIn.setFaults({ rate: 1, statuses: [429], paths: /meter_event_stream/ });
    const events = [{ event_name: 'api_calls', payload: { stripe_customer_id: 'cus_1', value: '1' } }];
    const err = await failure(
      f.stripe.v2.billing.meterEventStream.create({ events }, { apiKey: session.authentication_token }),
    );
    expect(err).toBeInstanceOf(StripeRateLimitError);
    expect(f.standIn.meterEvents).toHaveLength(0);
  });

  it('status 0 drops the connection; the SDK retries a closed connection once even with retries off', async () => {
    f.standIn.put(build.customer({ id: 'cus_drop' }));
    f.standIn.setFaults({ rate: 1, statuses: [0], times: 1 });
    expect((await f.stripe.customers.retrieve('cus_drop')).id).toBe('cus_drop');
    expect(f.standIn.countRequests({ method: 'GET', pathPrefix: '/v1/customers/cus_drop' })).toBe(2);
    f.standIn.setFaults({ rate: 1, statuses: [0] });
    expect((await failure(f.stripe.customers.retrieve('cus_drop'))).type).toBe('StripeConnectionError');
  });

  it('a seeded fault rate is deterministic and faulted requests change nothing', async () => {
    const run = async (): Promise<boolean[]> => {
      f.standIn.reset();
      f.standIn.setFaults({ rate: 0.5, statuses: [500, 429], seed: 42, paths: /meter_events/ });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 30; i++) {
        const ok = await f.stripe.billing.meterEvents
          .create({
            event_name: 'api_calls',
            identifier: `s-${i}`,
            payload: { stripe_customer_id: 'cus_1', value: '1' },
          })
          .then(
            () => true,
            () => false,
          );
        outcomes.push(ok);
      }
      return outcomes;
    };
    const first = await run();
    const succeeded = first.filter(Boolean).length;
    expect(succeeded).toBeGreaterThan(0);
    expect(succeeded).toBeLessThan(30);
    expect(f.standIn.faultsInjected).toBe(30 - succeeded);
    expect(f.standIn.meterEvents.map((e) => e.identifier)).toEqual(first.flatMap((ok, i) => (ok ? [`s-${i}`] : [])));
    expect(f.standIn.meterTotals().get('cus_1|api_calls')).toBe(succeeded);
    expect(await run()).toEqual(first);
  });

  it('records unknown routes as unexpected and applies latency', async () => {
    await failure(f.stripe.accounts.list());
    expect(f.standIn.unexpected).toEqual(['GET /v1/accounts']);
    f.standIn.resetRequests();
    f.standIn.put(build.product({ id: 'prod_slow' }));
    f.standIn.setLatency(60);
    const t0 = Date.now();
    await f.stripe.products.retrieve('prod_slow');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });
});

describe('options', () => {
  it('checks the API key when given one and honours the meter session lifetime', async () => {
    const other = await StripeStandIn.start({ apiKey: 'sk_test_right', meterSessionTtlMs: 50 });
    try {
      expect(await failure(stripeFor(other, 'sk_test_wrong').customers.list())).toBeInstanceOf(
        StripeAuthenticationError,
      );
      const right = stripeFor(other, 'sk_test_right');
      const session = await right.v2.billing.meterEventSession.create();
      await new Promise((r) => setTimeout(r, 80));
      const events = [{ event_name: 'api_calls', payload: { stripe_customer_id: 'cus_1', value: '1' } }];
      const err = await failure(
        right.v2.billing.meterEventStream.create({ events }, { apiKey: session.authentication_token }),
      );
      expect(err).toBeInstanceOf(TemporarySessionExpiredError);
      expect(err.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});
