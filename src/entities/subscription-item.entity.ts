import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintColumn } from './columns';

/** Mirror of a Stripe SubscriptionItem; written only together with its subscription (same watermark). */
@Entity({ name: 'subscription_items' })
export class SubscriptionItem {
  @PrimaryColumn({ name: 'stripe_id', type: 'text' })
  stripeId: string;

  @Index()
  @Column({ name: 'stripe_subscription_id', type: 'text' })
  stripeSubscriptionId: string;

  @Column({ name: 'stripe_price_id', type: 'text' })
  stripePriceId: string;

  @Column({ type: 'integer', nullable: true })
  quantity: number | null;

  @Column(bigintColumn({ name: 'current_period_start' }))
  currentPeriodStart: number;

  @Column(bigintColumn({ name: 'current_period_end' }))
  currentPeriodEnd: number;
}
