/** The setup planner: what it writes (and never writes) for each state an account can be in. */
import { formatAction, isWrite, MANAGED_BY, type SetupAction } from '../../../src/ops/setup/actions';
import { planSetup, type SetupDestination, type SetupEndpoint, type SetupInput } from '../../../src/ops/setup/plan';

const V = '2026-10-28.endive';
const URL = 'https://billing.example.com/webhooks/stripe';
const HANDLED = ['customer.created', 'customer.updated', 'invoice.paid'];
const METER_ERRORS = ['v1.billing.meter.error_report_triggered', 'v1.billing.meter.no_meter_found'];

let seq = 0;
const endpoint = (over: Partial<SetupEndpoint> = {}): SetupEndpoint => ({
  id: `we_${++seq}`,
  url: URL,
  status: 'enabled',
  api_version: V,
  enabled_events: [...HANDLED],
  metadata: {},
  ...over,
});
const destination = (over: Partial<SetupDestination> = {}): SetupDestination => ({
  id: `ed_${++seq}`,
  type: 'webhook_endpoint',
  status: 'enabled',
  event_payload: 'thin',
  enabled_events: [...METER_ERRORS],
  webhook_endpoint: { url: URL },
  metadata: {},
  ...over,
});
const plan = (over: Partial<SetupInput>) =>
  planSetup({
    serviceUrl: URL,
    engineVersion: V,
    handled: HANDLED,
    endpoints: [],
    destinations: [destination()],
    removeOld: false,
    ...over,
  });
const writes = (actions: SetupAction[]) => actions.filter(isWrite);
const kinds = (actions: SetupAction[]) => writes(actions).map((a) => `${a.kind}${'id' in a ? ` ${a.id}` : ''}`);
const lines = (actions: SetupAction[]) => actions.map((a) => formatAction(a));

test('an empty account: one endpoint on the engine version with every handled type, one thin destination, both managed', () => {
  const actions = plan({ destinations: [] });
  expect(kinds(actions)).toEqual(['create-endpoint', 'create-destination']);
  const [ep, dest] = writes(actions);
  expect(ep).toMatchObject({
    params: { url: URL, api_version: V, enabled_events: HANDLED, metadata: { managed_by: MANAGED_BY } },
  });
  expect(dest).toMatchObject({
    params: {
      type: 'webhook_endpoint',
      event_payload: 'thin',
      enabled_events: METER_ERRORS,
      webhook_endpoint: { url: URL },
      metadata: { managed_by: MANAGED_BY },
      include: ['webhook_endpoint.signing_secret'],
    },
  });
  expect(lines(actions)).toEqual([
    `create webhook endpoint: ${URL} on api_version ${V}, 3 event types, metadata.managed_by=${MANAGED_BY}`,
    `create event destination: ${URL} (thin payloads): ${METER_ERRORS.join(', ')}, metadata.managed_by=${MANAGED_BY}`,
  ]);
});

test('an enabled endpoint on the engine version missing event types is updated with them, keeping its own', () => {
  const ep = endpoint({ enabled_events: ['invoice.paid', 'charge.failed'] });
  const actions = plan({ endpoints: [ep] });
  expect(kinds(actions)).toEqual([`update-endpoint ${ep.id}`]);
  expect(writes(actions)[0]).toMatchObject({
    params: { enabled_events: ['invoice.paid', 'charge.failed', 'customer.created', 'customer.updated'] },
  });
  expect(formatAction(actions[0], { at: 'done', id: 'ignored' })).toBe(
    `updated webhook endpoint ${ep.id}: ${URL}: add 2 event type(s) the engine handles (customer.created, customer.updated)`,
  );
  // `*` sends everything: nothing to add.
  expect(kinds(plan({ endpoints: [endpoint({ enabled_events: ['*'] })] }))).toEqual([]);
});

test('an endpoint on an old version: a new one is created beside it, the old one is named and kept', () => {
  const old = endpoint({ api_version: '2020-03-02' });
  const unset = endpoint({ api_version: null });
  const actions = plan({ endpoints: [old, unset] });
  expect(kinds(actions)).toEqual(['create-endpoint']);
  const text = lines(actions).join('\n');
  expect(text).toContain(`old webhook endpoint ${old.id}: ${URL}: api_version 2020-03-02; it keeps running`);
  expect(text).toContain(`old webhook endpoint ${unset.id}: ${URL}: no api_version (the account default)`);
  expect(text).toContain('remove it with `npm run setup -- --url https://billing.example.com --remove-old`');
});

test('a disabled endpoint on the engine version is not reused and not deleted, even with --remove-old', () => {
  const disabled = endpoint({ status: 'disabled' });
  for (const removeOld of [false, true]) {
    const actions = plan({ endpoints: [disabled], removeOld });
    expect(kinds(actions)).toEqual(['create-endpoint']);
    expect(lines(actions)[1]).toMatch(
      new RegExp(`^skip webhook endpoint ${disabled.id}: .*disabled \\(Stripe sends it nothing\\), not reused`),
    );
  }
});

test('endpoints and destinations of another URL are never written, whatever their state or flags', () => {
  const others = [
    endpoint({ url: 'https://crm.example.com/webhooks/stripe', api_version: '2020-03-02' }),
    endpoint({ url: 'https://billing.example.com/other/webhooks/stripe' }),
    endpoint({ url: 'https://old-host.example.com/webhooks/stripe', metadata: { managed_by: MANAGED_BY } }),
  ];
  const otherDestination = destination({ webhook_endpoint: { url: 'https://crm.example.com/hooks' } });
  const actions = plan({ endpoints: [endpoint(), ...others], destinations: [otherDestination], removeOld: true });
  const touched = writes(actions).map((a) => ('id' in a ? a.id : ''));
  for (const o of [...others, otherDestination]) expect(touched).not.toContain(o.id);
  expect(kinds(actions)).toEqual(['create-destination']);
  expect(lines(actions).filter((l) => l.startsWith('skip'))).toEqual([
    `skip webhook endpoint ${others[0].id}: https://crm.example.com/webhooks/stripe: another URL; not touched`,
    `skip webhook endpoint ${others[1].id}: https://billing.example.com/other/webhooks/stripe: another URL; not touched`,
    `skip webhook endpoint ${others[2].id}: https://old-host.example.com/webhooks/stripe: made by setup for another URL; not touched — delete it if that deployment is gone`,
    `skip event destination ${otherDestination.id}: https://crm.example.com/hooks: another URL; not touched`,
  ]);
});

test('the URL matches by origin and path: a trailing slash or an upper-case host is the same endpoint', () => {
  const ep = endpoint({ url: 'https://Billing.Example.com/webhooks/stripe/' });
  expect(kinds(plan({ endpoints: [ep] }))).toEqual([]);
});

test('among several enabled endpoints on the engine version, a complete one wins, then one setup made', () => {
  const partial = endpoint({ enabled_events: ['invoice.paid'], metadata: { managed_by: MANAGED_BY } });
  const complete = endpoint();
  const actions = plan({ endpoints: [partial, complete] });
  expect(kinds(actions)).toEqual([]);
  expect(lines(actions)[0]).toMatch(new RegExp(`^ok {2}webhook endpoint ${complete.id}: .*; kept$`));
  expect(lines(actions)[1]).toBe(
    `skip webhook endpoint ${partial.id}: ${URL}: also enabled on api_version ${V}; left as is`,
  );
  const [mine, theirs] = [endpoint({ metadata: { managed_by: MANAGED_BY } }), endpoint()];
  expect(lines(plan({ endpoints: [theirs, mine] }))[0]).toContain(`webhook endpoint ${mine.id}:`);
});

test('a second run over what the first one made writes nothing', () => {
  const first = writes(plan({ destinations: [] }));
  const params = (kind: string) => (first.find((w) => w.kind === kind) as { params: object }).params;
  const endpoints = [
    endpoint({ api_version: '2024-06-20' }),
    endpoint({ ...(params('create-endpoint') as Partial<SetupEndpoint>), id: 'we_made' }),
  ];
  const destinations = [destination({ ...(params('create-destination') as Partial<SetupDestination>), id: 'ed_made' })];
  expect(first).toHaveLength(2);
  expect(writes(plan({ endpoints, destinations }))).toEqual([]);
});

test('--remove-old deletes only this URL’s endpoints on other versions, and only beside one that existed before', () => {
  const current = endpoint();
  const old = endpoint({ api_version: '2020-03-02' });
  const unset = endpoint({ api_version: null, status: 'disabled' });
  const other = endpoint({ url: 'https://crm.example.com/webhooks/stripe', api_version: '2020-03-02' });
  const endpoints = [current, old, unset, other];
  expect(kinds(plan({ endpoints }))).toEqual([]);
  const removing = plan({ endpoints, removeOld: true });
  expect(kinds(removing)).toEqual([`delete-endpoint ${old.id}`, `delete-endpoint ${unset.id}`]);
  expect(formatAction(writes(removing)[0], { at: 'done', id: 'x' })).toBe(
    `deleted webhook endpoint ${old.id}: ${URL}: api_version 2020-03-02, superseded by ${current.id}`,
  );
  // The engine's endpoint is created in this very run: its secret is not deployed, the old one stays.
  const creating = plan({ endpoints: [old, other], removeOld: true });
  expect(kinds(creating)).toEqual(['create-endpoint']);
  expect(lines(creating)[1]).toContain("not removed: the new endpoint's secret");
});

test('at Stripe’s limit of 16 endpoints nothing is created and the plan fails, naming the limit', () => {
  const endpoints = Array.from({ length: 16 }, (_, i) => endpoint({ url: `https://e${i}.example.com/hook` }));
  const actions = plan({ endpoints });
  expect(kinds(actions)).toEqual([]);
  expect(lines(actions)[0]).toMatch(/^FAIL webhook endpoint: the account has 16 webhook endpoints, Stripe's limit/);
});

test('destinations: a thin one missing a type is updated; disabled and snapshot ones are left and a thin one made', () => {
  const partial = destination({ enabled_events: [METER_ERRORS[0]] });
  const updating = plan({ endpoints: [endpoint()], destinations: [partial] });
  expect(kinds(updating)).toEqual([`update-destination ${partial.id}`]);
  expect(writes(updating)[0]).toMatchObject({ params: { enabled_events: METER_ERRORS } });

  const disabled = destination({ status: 'disabled' });
  const snapshot = destination({ event_payload: 'snapshot' });
  const creating = plan({ endpoints: [endpoint()], destinations: [disabled, snapshot] });
  expect(kinds(creating)).toEqual(['create-destination']);
  expect(lines(creating).slice(-2)).toEqual([
    `skip event destination ${disabled.id}: ${URL}: disabled; left as is`,
    `skip event destination ${snapshot.id}: ${URL}: snapshot payloads; left as is`,
  ]);
  expect(lines(plan({ endpoints: [endpoint()] }))[1]).toMatch(/^ok {2}event destination ed_\d+: .* \(thin\); kept$/);
});

test('a write prints as planned, under --dry-run and once done with the new id', () => {
  const [create] = writes(plan({ destinations: [] }));
  expect(formatAction(create, { at: 'dry-run' })).toMatch(/^would create webhook endpoint: /);
  expect(formatAction(create, { at: 'done', id: 'we_new' })).toMatch(/^created webhook endpoint we_new: /);
});
