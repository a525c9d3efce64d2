/**
 * One Stripe stand-in per test file and the real `stripe` SDK pointed at it (no retries): started
 * before the file, reset before each test, closed after; a request no route knew fails the test.
 */
import Stripe from 'stripe';
import { StripeStandIn } from '../../stand-in/index';

export interface StandInFixture {
  readonly standIn: StripeStandIn;
  readonly stripe: Stripe;
}

/** Call at the top of a test file; read `.standIn` / `.stripe` inside tests. */
export function useStandIn(): StandInFixture {
  const f = {} as { standIn: StripeStandIn; stripe: Stripe };
  beforeAll(async () => {
    f.standIn = await StripeStandIn.start();
    f.stripe = stripeFor(f.standIn);
  });
  afterAll(async () => {
    await f.standIn.close();
  });
  beforeEach(() => f.standIn.reset());
  afterEach(() => expect(f.standIn.unexpected).toEqual([]));
  return f;
}

/** The SDK pointed at `standIn`, without retries. */
export function stripeFor(standIn: { port: number }, key = 'sk_test_standin'): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: standIn.port, protocol: 'http', maxNetworkRetries: 0 });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (e) {
    return e as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}
