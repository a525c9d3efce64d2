import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The outcome of the last comparison of one (customer, meter, hour) with Stripe's meter event
 * summaries (flow C, usage/reconcile.ts): what the usage route, the console and the doctor read
 * without calling Stripe, and what lets the next run skip hours already confirmed.
 */
@Entity({ name: 'usage_reconciliations' })
@Index('IDX_usage_reconciliations_differing', ['hourStart'], { where: `"outcome" <> 'confirmed'` })
export class UsageReconciliation {
  @PrimaryColumn({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  /** The meter's event name. */
  @PrimaryColumn({ type: 'text' })
  meter: string;

  @Index('IDX_usage_reconciliations_hour_start')
  @PrimaryColumn({ name: 'hour_start', type: 'timestamptz' })
  hourStart: Date;

  /** `confirmed`, `missing`, `rejected`, `excess` or `expired` (usage/reconcile-compare.ts). */
  @Column({ type: 'text' })
  outcome: string;

  /** Units of `usage_reports` in the hour when it was compared. */
  @Column({ name: 'ledger_units', type: 'bigint' })
  ledgerUnits: string;

  /** What Stripe's summary counted for the hour then. */
  @Column({ name: 'stripe_units', type: 'bigint' })
  stripeUnits: string;

  @Column({ name: 'checked_at', type: 'timestamptz' })
  checkedAt: Date;
}
