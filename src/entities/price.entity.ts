import { Column, Entity, Index } from 'typeorm';
import { bigintColumn } from './columns';
import { Mirrored } from './mirrored';

/** Mirror of a Stripe Price. Amounts are cached for display only; Stripe does all pricing. */
@Entity({ name: 'prices' })
export class Price extends Mirrored {
  @Index()
  @Column({ name: 'stripe_product_id', type: 'text' })
  stripeProductId: string;

  @Column(bigintColumn({ name: 'unit_amount', nullable: true }))
  unitAmount: number | null;

  @Column({ type: 'text' })
  currency: string;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'recurring_interval', type: 'text', nullable: true })
  recurringInterval: string | null;

  @Column({ name: 'usage_type', type: 'text', nullable: true })
  usageType: string | null;

  @Column({ name: 'meter', type: 'text', nullable: true })
  meter: string | null;
}
