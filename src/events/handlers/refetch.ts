/** Refetching an object from Stripe on a same-second tie; "no such object" means deleted. */
import { isResourceMissing } from '../../stripe';

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
