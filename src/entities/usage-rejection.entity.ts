import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Meter events Stripe refused after accepting their batch (flow C): one row per identifier a thin
 * event's `sample_errors[].request.identifier` named. It matches the ledger row sent with that
 * identifier (`usage_reports` or `usage_fixes`), which may be written after the report arrives.
 */
@Entity({ name: 'usage_rejections' })
export class UsageRejection {
  /** The meter event's `identifier`. */
  @PrimaryColumn({ type: 'text' })
  identifier: string;

  /** Stripe's error code, e.g. `meter_event_customer_not_found`. */
  @Column({ type: 'text' })
  code: string;

  /** The thin event (`evt_…`) that reported it. */
  @Column({ name: 'stripe_event_id', type: 'text' })
  stripeEventId: string;

  /** The prune (ops/prune.ts) finds old rows through this index. */
  @Index('IDX_usage_rejections_rejected_at')
  @CreateDateColumn({ name: 'rejected_at', type: 'timestamptz' })
  rejectedAt: Date;
}
