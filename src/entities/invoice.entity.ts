import { Column, Entity, Index } from 'typeorm';
import { bigintColumn } from './columns';
import { Mirrored } from './mirrored';

/** Mirror of a Stripe Invoice, with what the access rule needs (failed and still unpaid). */
@Entity({ name: 'invoices' })
export class Invoice extends Mirrored {
  @Index()
  @Column({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  @Index()
  @Column({ name: 'stripe_subscription_id', type: 'text', nullable: true })
  stripeSubscriptionId: string | null;

  @Column({ type: 'text', nullable: true })
  status: string | null;

  @Column(bigintColumn({ name: 'amount_due' }))
  amountDue: number;

  @Column(bigintColumn({ name: 'amount_paid' }))
  amountPaid: number;

  @Column(bigintColumn({ name: 'amount_remaining' }))
  amountRemaining: number;

  @Column({ type: 'text' })
  currency: string;

  @Column({ type: 'boolean' })
  attempted: boolean;

  /** Unix second the invoice was first seen with a failed, unpaid payment; null when not failing. */
  @Column(bigintColumn({ name: 'payment_failed_at', nullable: true }))
  paymentFailedAt: number | null;

  @Column(bigintColumn({ name: 'period_start', nullable: true }))
  periodStart: number | null;

  @Column(bigintColumn({ name: 'period_end', nullable: true }))
  periodEnd: number | null;
}
