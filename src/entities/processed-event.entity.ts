import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintColumn } from './columns';

/** One row per Stripe event whose effects were committed: the exactly-once guard. */
@Entity({ name: 'processed_events' })
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
}
