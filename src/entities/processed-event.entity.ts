import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintColumn } from './columns';

/** One row per Stripe event whose effects were committed: the exactly-once guard. */
@Entity({ name: 'processed_events' })
export class ProcessedEvent {
  @PrimaryColumn({ name: 'stripe_event_id', type: 'text' })
  stripeEventId: string;

  @Column({ type: 'text' })
  type: string;

  @Column(bigintColumn({ name: 'event_created' }))
  eventCreated: number;

  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' })
  processedAt: Date;
}
