/** The Stripe event processor's one decision of its own: a permanent error fails the job for good, its cause kept. */
import { UnrecoverableError } from 'bullmq';
import { PermanentError } from '../../src/events/handler-types';
import { unrecoverable } from '../../src/jobs/stripe-events';

test('a PermanentError becomes an UnrecoverableError with the same message and the PermanentError as cause', () => {
  const permanent = new PermanentError('malformed invoice: currency: too short');
  const failure = unrecoverable(permanent);
  expect(failure).toBeInstanceOf(UnrecoverableError);
  // BullMQ recognizes it by class or name, and shows the message as the job's failedReason.
  expect(failure.name).toBe('UnrecoverableError');
  expect(failure.message).toBe(permanent.message);
  expect(failure.cause).toBe(permanent);
});
