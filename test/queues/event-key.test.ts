/**
 * The one event key (queues/stripe-event.ts `eventKey`): the queue partitions by it
 * (queues/partitions.ts), the engine locks it (events/apply.ts `prepareItem`), the job log lines
 * and the access change feed name its customer. For every event type of the handler table, in
 * every API version's shapes, and for the generic stripe_objects path over every sample object,
 * the key must be what each handler locked before there was one rule: the owner of the rows it
 * writes (the customer's own id; an object's customer; else the object's id; an entitlement
 * summary's customer), so one customer's events share one partition and one lock.
 */
import { mapEntitlementSummary } from '../../src/events/handlers/entitlements';
import { handlerFor, handlers } from '../../src/events/handlers';
import { stripeObjectMirror } from '../../src/events/handlers/stripe-object';
import { eventLogFields } from '../../src/events/log-fields';
import { mirrorOf } from '../../src/events/mirror-registry';
import { eventPartitionKey } from '../../src/queues/partitions';
import { eventKey, type StripeEvent } from '../../src/queues/stripe-event';
import * as build from '../../stand-in/events';

const CUSTOMER = 'cus_Key0001';

/** A realistic object of a handled type's family, in `b`'s API version; a new family must be added here. */
function objectFor(type: string, b: build.VersionedBuilders): object {
  if (type.startsWith('customer.subscription.')) return b.subscription({ customer: CUSTOMER });
  if (type.startsWith('customer.')) return b.customer({ id: CUSTOMER });
  if (type.startsWith('product.')) return b.product();
  if (type.startsWith('price.')) return b.price();
  if (type.startsWith('invoice.')) return b.invoice({ customer: CUSTOMER });
  if (type.startsWith('checkout.session.')) return b.checkoutSession({ customer: CUSTOMER });
  if (type.startsWith('entitlements.')) return build.entitlementSummary(CUSTOMER, [{ lookup_key: 'sso' }]);
  throw new Error(`no object builder for ${type}: add its family to objectFor`);
}

/** The object as sent, with its customer expanded, and (where Stripe allows it) with none. */
function variants(object: object): Array<Record<string, unknown>> {
  const o = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
  if (typeof o.customer !== 'string') return [o];
  return [
    o,
    { ...o, customer: { id: o.customer, object: 'customer', email: 'key@example.com' } },
    { ...o, customer: null },
  ];
}

/** Whose rows the handler of `event` writes, read with the handler's own mapper. */
function ownerOfRows(event: StripeEvent): string {
  const object = event.data.object;
  if (event.type === 'entitlements.active_entitlement_summary.updated') return mapEntitlementSummary(object).customer;
  const row = mirrorOf(String(object.object)).spec.toRow(object, null, event.created) as {
    stripeId: string;
    stripeCustomerId?: string | null;
  };
  return row.stripeCustomerId ?? row.stripeId;
}

function expectOneKey(event: StripeEvent): void {
  const owner = ownerOfRows(event);
  const key = eventKey(event);
  expect({ type: event.type, key: key.key }).toEqual({ type: event.type, key: owner });
  expect(eventPartitionKey(event)).toBe(owner);
  expect(key.customer).toBe(owner.startsWith('cus_'));
  if (key.customer) expect(eventLogFields(event).customerId).toBe(owner);
}

const asEvent = (e: object) => JSON.parse(JSON.stringify(e)) as StripeEvent;

describe.each(build.API_VERSIONS)('API version %s', (version) => {
  const b = build.buildersFor(version);
  const types = Object.keys(handlers) as Array<keyof typeof handlers>;

  test.each(types)('%s: partition key = lock key = owner of the rows written', (type) => {
    const objects = variants(objectFor(type, b));
    for (const object of objects) {
      // Stripe never sends a subscription or invoice without its customer (only sessions may lack
      // one), nor a summary's customer expanded.
      if (object.customer === null && !type.startsWith('checkout.session.')) continue;
      if (typeof object.customer !== 'string' && type.startsWith('entitlements.')) continue;
      const event = asEvent(b.event(type, object));
      expect(handlerFor(event)).toBe(handlers[type]);
      expectOneKey(event);
    }
  });
});

const genericTypes = build
  .objectSampleTypes()
  .filter((type) => mirrorOf(type) === stripeObjectMirror && 'id' in build.object(type));

test.each(genericTypes)('stripe_objects: a %s event is keyed like its row', (type) => {
  const sample = build.object(type);
  // As sampled (some with a customer, most without), with none, with one, with one expanded.
  for (const customer of [sample.customer, null, CUSTOMER, { id: CUSTOMER, object: 'customer' }]) {
    const event = asEvent(build.event(`${type}.updated`, { ...sample, customer }));
    expect(handlerFor(event)).toBeDefined();
    expectOneKey(event);
  }
});

test('objects without an id: not applied, keyed by their customer or else the event id', () => {
  const balance = asEvent(build.balanceAvailableEvent(100, 0, { id: 'evt_Balance1' }));
  expect(handlerFor(balance)).toBeUndefined();
  expect(eventKey(balance)).toEqual({ key: 'evt_Balance1', customer: false });
  const upcoming = asEvent(build.invoiceUpcomingEvent({ customer: CUSTOMER }));
  expect(handlerFor(upcoming)).toBeUndefined();
  expect(eventKey(upcoming)).toEqual({ key: CUSTOMER, customer: true });
});

test('a customer key the access API would refuse (not cus_ and letters/digits) is not named on the feed', () => {
  const evt = (customer: unknown) => ({ id: 'evt_1', data: { object: { id: 'in_1', object: 'invoice', customer } } });
  expect(eventKey(evt('cus_a,b'))).toEqual({ key: 'cus_a,b', customer: false });
  expect(eventKey(evt('acct_1'))).toEqual({ key: 'acct_1', customer: false });
  expect(eventKey(evt({ id: 'cus_Ok1' }))).toEqual({ key: 'cus_Ok1', customer: true });
  expect(eventKey(evt(''))).toEqual({ key: 'in_1', customer: false });
  // A customer object is its own key, whatever else it carries; without an id, the event's.
  const customerEvent = (object: Record<string, unknown>) => ({ id: 'evt_2', data: { object } });
  expect(eventKey(customerEvent({ id: 'cus_Own1', object: 'customer', customer: 'cus_Other' })).key).toBe('cus_Own1');
  expect(eventKey(customerEvent({ object: 'customer', customer: 'cus_Other' })).key).toBe('evt_2');
});
