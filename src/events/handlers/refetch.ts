/**
 * Reading from Stripe while an event is applied: `readStripe` is the one gate every handler's read
 * goes through (a same-second tie, an older API version's shape, a list a summary only started),
 * and `retrieveOrDeleted` reads one object, where "no such object" means deleted.
 */
import { isResourceMissing } from '../../stripe';
import { HandlerContext, NeedsStripeRead, StripeReadReason } from '../handler-types';

/**
 * Runs `read` when this event may read from Stripe (it is applied on its own), counting it under
 * `why`; inside a shared transaction throws NeedsStripeRead (`${what} (${why})`) instead, so the
 * event is set aside and applied on its own.
 */
export async function readStripe<T>(
  ctx: Pick<HandlerContext, 'allowStripeReads' | 'onStripeRead'>,
  why: StripeReadReason,
  what: string,
  read: () => Promise<T>,
): Promise<T> {
  if (!ctx.allowStripeReads) throw new NeedsStripeRead(`${what} (${why})`);
  ctx.onStripeRead(why);
  return read();
}

export async function retrieveOrDeleted<T extends object>(load: () => Promise<T>): Promise<T | 'deleted'> {
  try {
    const object = await load();
    // Deleted customers and products are still served, as `{ id, object, deleted: true }`.
    return 'deleted' in object && object.deleted === true ? 'deleted' : object;
  } catch (error) {
    if (isResourceMissing(error)) return 'deleted';
    throw error;
  }
}
