import { customer, event } from '../support/stripe-events';
import { waitFor } from '../support/http';
import { startTestService, TestService } from '../support/service';

let t: TestService;
beforeAll(async () => { t = await startTestService(); });
afterAll(async () => { await t.stop(); });

test('a signed customer.created becomes a row', async () => {
  const c = customer();
  const res = await t.deliver(event('customer.created', c));
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ received: true });
  const rows = await waitFor(async () => {
    const r = await t.service.dataSource.query('SELECT stripe_id, email FROM customers');
    return r.length ? r : null;
  });
  expect(rows).toEqual([{ stripe_id: c.id, email: c.email }]);
});
