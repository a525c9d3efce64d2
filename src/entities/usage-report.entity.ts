import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The usage ledger: one row per meter event Stripe accepted (flow B). Outlives Stripe's 24-hour
 * identifier window, lets a resumed drain skip what was sent, and answers "what did we bill?".
 */
@Entity({ name: 'usage_reports' })
@Index(['stripeCustomerId', 'meter', 'windowStart'])
export class UsageReport {
  /** The meter event's `identifier` (deterministic from claim, customer, meter and window). */
  @PrimaryColumn({ type: 'text' })
  identifier: string;

  @Column({ name: 'claim_id', type: 'text' })
  claimId: string;

  @Column({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  /** The meter's event name. */
  @Column({ type: 'text' })
  meter: string;

  /** Units, as a decimal string (pg returns bigint as text). */
  @Column({ type: 'bigint' })
  value: string;

  @Column({ name: 'window_start', type: 'timestamptz' })
  windowStart: Date;

  @Column({ name: 'window_end', type: 'timestamptz' })
  windowEnd: Date;

  /**
   * The `timestamp` sent to Stripe: the window's usage time (src/usage/window.ts), unless Stripe's 35-day
   * limit forced later; reconciliation and the prune read by it.
   */
  @Index('IDX_usage_reports_event_timestamp')
  @Column({ name: 'event_timestamp', type: 'timestamptz' })
  eventTimestamp: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', default: () => 'now()' })
  sentAt: Date;
}
