/**
 * The ids a job log line carries: event id and type, customer id (the event's customer, as its
 * key names it: queues/stripe-event.ts `eventCustomer`). Read defensively from the
 * still-unvalidated payload, and never the payload itself (it holds emails, addresses, amounts).
 */
import { eventCustomer } from '../queues/stripe-event';

export interface EventLogFields {
  eventId?: string;
  eventType?: string;
  customerId?: string;
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length <= 255 ? value : undefined;
const rec = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

export function eventLogFields(payload: unknown): EventLogFields {
  const event = rec(payload);
  const object = rec(rec(event.data).object);
  const customerId = str(eventCustomer(object));
  const fields: EventLogFields = { eventId: str(event.id), eventType: str(event.type), customerId };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
