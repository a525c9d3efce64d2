/** What setup says about STRIPE_WEBHOOK_SECRET: the exact value to deploy, old secrets first, each once. */
import { secretToDeploy } from '../../../src/ops/setup/apply';
import { note, type SetupAction } from '../../../src/ops/setup/actions';
import { secretSummary } from '../../../src/ops/setup/run';

const create: SetupAction = {
  kind: 'create-endpoint',
  check: 'webhook endpoint',
  detail: 'x',
  params: { url: 'https://b.example.com/webhooks/stripe', enabled_events: ['*'] },
};
const kept = note('ok', 'webhook endpoint we_1', 'kept');

test('the value to deploy: configured secrets, then new ones, without repeats', () => {
  expect(secretToDeploy([], ['whsec_new'])).toBe('whsec_new');
  expect(secretToDeploy(['whsec_a', 'whsec_b'], ['whsec_c', 'whsec_a', 'whsec_d'])).toBe(
    'whsec_a,whsec_b,whsec_c,whsec_d',
  );
});

test('after a run that created something: the exact line to deploy', () => {
  const applied = {
    secrets: [
      { owner: 'webhook endpoint we_2', secret: 'whsec_ep' },
      { owner: 'event destination ed_2', secret: 'whsec_ed' },
    ],
    withoutSecret: [],
  };
  expect(secretSummary([create], ['whsec_old'], applied)[0]).toBe('STRIPE_WEBHOOK_SECRET=whsec_old,whsec_ep,whsec_ed');
});

test('nothing created: nothing to deploy; a dry run counts the secrets it would add and prints none', () => {
  expect(secretSummary([kept], ['whsec_old'], { secrets: [], withoutSecret: [] })).toEqual([
    expect.stringMatching(/^ok {2}STRIPE_WEBHOOK_SECRET: nothing new to deploy/),
  ]);
  expect(secretSummary([kept], ['whsec_old'])).toEqual(['ok  STRIPE_WEBHOOK_SECRET: nothing new to deploy']);
  const dry = secretSummary([create, kept], ['whsec_old']);
  expect(dry).toEqual([
    'would set STRIPE_WEBHOOK_SECRET: the configured value (1 secret(s)) plus the 1 new secret(s) printed when setup runs',
  ]);
  expect(dry.join('\n')).not.toContain('whsec_');
});
