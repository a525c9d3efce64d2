/** The doctor's `usage at stripe` line: hours that differ from Stripe and refusals not compared yet, from PostgreSQL alone. */
import { Client } from 'pg';
import { linesStarting } from '../../support/cli';
import { doctorWorld } from './doctor-world';

const world = doctorWorld();

test('usage Stripe lacks or refused in the last 35 days: counted, meters named, the fixing command given', async () => {
  world.putRightSetup();
  const client = new Client({ connectionString: world.db.url });
  await client.connect();
  await client.query(`INSERT INTO usage_reconciliations (stripe_customer_id, meter, hour_start, outcome, ledger_units, stripe_units, checked_at)
    VALUES ('cus_d1', 'tokens', date_trunc('hour', now()) - interval '3 hours', 'missing', 40, 10, now() - interval '1 minute'),
           ('cus_d2', 'api_calls', date_trunc('hour', now()) - interval '5 hours', 'rejected', 7, 0, now() - interval '1 minute'),
           ('cus_d3', 'api_calls', date_trunc('hour', now()) - interval '40 days', 'missing', 5, 0, now() - interval '1 minute')`);
  await client.query(
    `INSERT INTO usage_rejections (identifier, code, stripe_event_id) VALUES ('u_x', 'meter_event_customer_not_found', 'evt_1')`,
  );
  try {
    expect(linesStarting(await world.doctor(), 'FAIL usage at stripe: ')).toEqual([
      'FAIL usage at stripe: 2 hour(s) of the last 35 days differ from Stripe: 1 missing (30 units), 1 rejected (7 units), ' +
        'meters api_calls, tokens; 1 meter event(s) Stripe refused since the last comparison — run `npm run usage:reconcile -- --fix` ' +
        '(it sends what Stripe lacks; remove the cause of a refusal first, e.g. create the customer in Stripe)',
    ]);
  } finally {
    await client.query('DELETE FROM usage_reconciliations; DELETE FROM usage_rejections');
    await client.end();
  }
}, 60_000);
