import { Column, Entity, Index } from 'typeorm';
import { bigintColumn } from './columns';
import { Mirrored } from './mirrored';

/** Mirror of a Stripe Subscription; its items live in subscription_items. */
@Entity({ name: 'subscriptions' })
export class Subscription extends Mirrored {
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

  /** Stripe's `start_date`: where the first period begins (the usage drain stamps that window there, window.ts). */
  @Column(bigintColumn({ name: 'start_date', nullable: true }))
  startDate: number | null;
}
