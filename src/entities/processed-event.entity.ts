import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintColumn } from './columns';

/** One row per Stripe event whose effects were committed: the exactly-once guard. */
@Entity({ name: 'processed_events' })
// The operator console's "latest applied events" of one customer (src/admin/customer-model.ts).
@Index('IDX_processed_events_customer_processed', ['stripeCustomerId', 'processedAt'])
export class ProcessedEvent {
  @PrimaryColumn({ name: 'stripe_event_id', type: 'text' })
  stripeEventId: string;

  @Column({ type: 'text' })
  type: string;

  /** Stripe's `created` of the event; the prune (ops/prune.ts) finds old rows through its index. */
  @Index('IDX_processed_events_event_created')
  @Column(bigintColumn({ name: 'event_created' }))
  eventCreated: number;

  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' })
  processedAt: Date;

  /** The event's customer (its lock key when that is a customer id); null for products, prices, … */
  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true })
  stripeCustomerId: string | null;

  /** Where the event came from: `webhook` or `replay` (queues/payloads.ts); null before 1795760000000. */
  @Column({ type: 'text', nullable: true })
  source: string | null;
}
