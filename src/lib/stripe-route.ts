/**
 * The route template of a Stripe API path, for metric labels (`billing_stripe_requests_total`,
 * served on the unauthenticated /metrics): `/v1/customers/cus_…/sources/card_…` →
 * `/v1/customers/:id/sources/:id`. By position, not by the look of a segment: after the version and
 * any namespaces (`billing`, `test_helpers`, `core`…), Stripe paths alternate a collection (or an
 * action: `pay`, `event_summaries`) and an id, and every id position becomes `:id` whatever it
 * looks like (a customer id without a digit, a coupon named `summer_sale`), so a label never holds
 * an object id and the number of series stays that of Stripe's routes. A collection position that
 * is not a lowercase word is an id in a path this rule does not know: `:id` too.
 */

/** Stripe's resource namespaces (v1 and v2): prefixes of a collection, never ids. */
const NAMESPACES = new Set([
  'apps',
  'billing',
  'billing_portal',
  'checkout',
  'climate',
  'core',
  'entitlements',
  'financial_connections',
  'forwarding',
  'identity',
  'issuing',
  'money_management',
  'radar',
  'reporting',
  'sigma',
  'tax',
  'terminal',
  'test_helpers',
  'treasury',
]);

const WORD = /^[a-z][a-z_]*$/;

export function stripeRouteTemplate(path: string | undefined): string {
  if (!path) return 'unknown';
  const [, version = '', ...rest] = path.split('?')[0].split('/');
  const out = ['', /^v\d+$/.test(version) ? version : ':id'];
  let i = 0;
  while (i < rest.length && NAMESPACES.has(rest[i])) out.push(rest[i++]);
  for (let position = 0; i < rest.length; i++, position++)
    out.push(position % 2 === 0 && WORD.test(rest[i]) ? rest[i] : ':id');
  return out.join('/');
}
