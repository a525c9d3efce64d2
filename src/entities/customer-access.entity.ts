import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintColumn } from './columns';

/**
 * Each customer's access answer as of its newest committed change (src/access/sync.ts):
 * what GET /v1/customers/:id/access reads with one primary-key lookup, and the "before" that an
 * access-change notification is computed against. `version` grows with every change of the row.
 */
@Entity({ name: 'customer_access' })
export class CustomerAccess {
  @PrimaryColumn({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  @Column({ type: 'boolean' })
  access: boolean;

  @Column({ type: 'text', nullable: true })
  status: string | null;

  @Column({ type: 'text' })
  reason: string;

  @Column(bigintColumn({ name: 'version' }))
  version: number;

  /** Unix second a grace period runs out and the answer turns false with no event (else null). */
  @Index()
  @Column(bigintColumn({ name: 'grace_ends_at', nullable: true }))
  graceEndsAt: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/**
 * The outbox of access-change notifications: written in the same transaction as the change, so a
 * crash between commit and enqueue loses nothing (the relay re-enqueues rows not yet enqueued).
 */
@Entity({ name: 'access_notifications' })
export class AccessNotification {
  /** The notification's stable id (`acc_<customer>_<sequence>`), also its BullMQ job id. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Index()
  @Column({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  @Column(bigintColumn({ name: 'sequence' }))
  sequence: number;

  @Column({ type: 'jsonb' })
  body: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** When the notification job was durably enqueued; null = the relay still has to. */
  @Index()
  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt: Date | null;
}
