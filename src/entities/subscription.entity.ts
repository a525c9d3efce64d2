import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintColumn, watermarkColumn } from './columns';

/** Mirror of a Stripe Subscription; its items live in subscription_items. */
@Entity({ name: 'subscriptions' })
export class Subscription {
  @PrimaryColumn({ name: 'stripe_id', type: 'text' })
  stripeId: string;

  @Index()
  @Column({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'cancel_at_period_end', type: 'boolean' })
  cancelAtPeriodEnd: boolean;

  @Column(bigintColumn({ name: 'canceled_at', nullable: true }))
  canceledAt: number | null;

  @Column(bigintColumn({ name: 'trial_end', nullable: true }))
  trialEnd: number | null;

  @Column({ type: 'boolean', default: false })
  deleted: boolean;

  @Column(watermarkColumn())
  watermark: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
