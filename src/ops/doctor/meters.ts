/**
 * The meter check: every meter event name usage has been counted for (sent: `usage_reports`;
 * pending or claimed: the Redis usage hashes) needs an active Billing Meter with that `event_name`,
 * or Stripe drops the usage (asynchronously, as `v1.billing.meter.no_meter_found`).
 */
import type Stripe from 'stripe';
import { decodeField } from '../../usage/keys';
import { CheckResult, fail, ok } from './result';

export type MeterView = Pick<Stripe.Billing.Meter, 'id' | 'event_name' | 'status'>;

/** Meter names in usage hash fields (`<customer>|<meter>|<window>`); fields off the layout are ignored. */
export function meterNamesOfFields(fields: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const field of fields) {
    const cell = decodeField(field);
    if (cell) names.add(cell.meter);
  }
  return names;
}

/**
 * One line per counted meter name, sorted; one `ok` line when nothing was counted yet. `unread` names
 * the usage sources (PostgreSQL, Redis) that could not be read: a FAIL line, as their meters are unknown.
 */
export function meterResults(
  counted: Iterable<string>,
  meters: readonly MeterView[],
  unread: readonly string[] = [],
): CheckResult[] {
  const names = [...new Set(counted)].sort();
  const unknown = unread.length
    ? [
        fail(
          'meters',
          `could not read counted usage from ${unread.join(' and ')} (see above): the meters it needs are not checked`,
          'fix that, then run the doctor again',
        ),
      ]
    : [];
  if (!names.length) return unknown.length ? unknown : [ok('meters', 'no usage counted yet, no meter needed so far')];
  return [
    ...unknown,
    ...names.map((name) => {
      const check = `meter ${name}`;
      const matching = meters.filter((m) => m.event_name === name);
      const active = matching.find((m) => m.status === 'active');
      if (active) return ok(check, `active meter ${active.id}`);
      if (matching.length) {
        return fail(
          check,
          `usage is counted for "${name}" but its meter ${matching.map((m) => m.id).join(', ')} is ${matching[0].status}: Stripe rejects the usage`,
          `reactivate it in the Dashboard (Billing → Meters → ${matching[0].id})`,
        );
      }
      return fail(
        check,
        `usage is counted for "${name}" but the account has no meter with that event name: Stripe drops the usage`,
        `create a meter in the Dashboard (Billing → Meters) with event name "${name}"`,
      );
    }),
  ];
}
