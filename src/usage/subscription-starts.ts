/**
 * The start times of customers' subscriptions, from the mirror (`subscriptions.start_date`), for
 * the stamping rule of window.ts (usageTime): one query for all the customers of a drain page, a
 * batch of fixes or one usage query. Every subscription counts, whatever its status: a window's
 * stamp only moves later inside the window, towards a period that began there.
 */
import type { DataSource } from 'typeorm';
import type { SubscriptionStarts } from './window';

/** $1 = JSON [customer ids], $2 = unix s: starts after it only (an earlier start never moves a stamp). */
const STARTS_SQL = `SELECT stripe_customer_id AS customer, start_date::text AS start FROM subscriptions
  WHERE stripe_customer_id = ANY(ARRAY(SELECT json_array_elements_text($1::json))) AND start_date > $2`;

/** The subscription starts after `after` (unix s) of each of `customers`; customers without one are absent. */
export async function subscriptionStarts(
  dataSource: Pick<DataSource, 'query'>,
  customers: Iterable<string>,
  after: number,
): Promise<SubscriptionStarts> {
  const ids = [...new Set(customers)];
  const starts = new Map<string, number[]>();
  if (ids.length === 0) return starts;
  const rows = (await dataSource.query(STARTS_SQL, [JSON.stringify(ids), after])) as Array<{
    customer: string;
    start: string;
  }>;
  for (const r of rows) starts.set(r.customer, [...(starts.get(r.customer) ?? []), Number(r.start)]);
  return starts;
}
