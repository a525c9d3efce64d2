/** Reading a fetched meter error event: every sample, in either request shape, with its type's code. */
import { rejectedSamples } from '../../src/usage/rejections';

const event = (errorTypes: unknown[]) => ({
  id: 'evt_test_1',
  object: 'v2.core.event',
  type: 'v1.billing.meter.error_report_triggered',
  data: { reason: { error_count: 9, error_types: errorTypes } },
});

test('both sample shapes, first code per identifier, more errors than samples', () => {
  const samples = rejectedSamples(
    event([
      {
        code: 'meter_event_customer_not_found',
        error_count: 7,
        sample_errors: [
          { error_message: 'x', request: { identifier: 'u_a' } },
          { error_message: 'x', request: { id: 'req_1', idempotency_key: 'u_b' } },
        ],
      },
      { code: 'timestamp_too_far_in_past', error_count: 2, sample_errors: [{ request: { identifier: 'u_a' } }] },
    ]),
  );
  expect(samples).toEqual([
    { identifier: 'u_a', code: 'meter_event_customer_not_found' },
    { identifier: 'u_b', code: 'meter_event_customer_not_found' },
  ]);
});

test.each([
  [null],
  [{}],
  [{ data: { reason: { error_types: 'no' } } }],
  [event([{ code: 1, sample_errors: [{ request: { identifier: 'u_a' } }] }])],
  [event([{ code: 'no_meter', sample_errors: [{ request: {} }, null, { request: { identifier: 5 } }] }])],
])('a malformed event yields no samples: %j', (input) => {
  expect(rejectedSamples(input)).toEqual([]);
});
