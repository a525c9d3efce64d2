import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The re-sends of the ledger (flow C): one row per meter event sent to make up what Stripe lacks in
 * one (customer, meter, hour), by `npm run usage:reconcile -- --fix` or a drain resuming a claim
 * after Stripe's 24-hour identifier window. Written before it is sent (`accepted_at` null), marked
 * once Stripe accepted it: a fix killed half-way resends exactly its unaccepted rows, same identifiers.
 * `usage_reports` keeps the units counted; these rows only carry them again.
 */
@Entity({ name: 'usage_fixes' })
@Index('IDX_usage_fixes_cell', ['stripeCustomerId', 'meter', 'hourStart'])
@Index('IDX_usage_fixes_unaccepted', ['createdAt'], { where: '"accepted_at" IS NULL' })
export class UsageFix {
  /** `f_` + 40 hex of SHA-256 over (key prefix, customer, meter, hour, attempt): see usage/fix-plan.ts. */
  @PrimaryColumn({ type: 'text' })
  identifier: string;

  @Column({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  /** The meter's event name. */
  @Column({ type: 'text' })
  meter: string;

  /** The hour the units belong to (the event is stamped inside it). */
  @Index('IDX_usage_fixes_hour_start')
  @Column({ name: 'hour_start', type: 'timestamptz' })
  hourStart: Date;

  /** 1 for the first fix of its hour, 2 for the next, … */
  @Column({ type: 'integer' })
  attempt: number;

  /** Units, as a decimal string (pg returns bigint as text). */
  @Column({ type: 'bigint' })
  value: string;

  /** Why it was sent: `missing`, `rejected` or `resume`. */
  @Column({ type: 'text' })
  reason: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** When Stripe accepted it; null while it waits to be sent. */
  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;
}
