import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintColumn, watermarkColumn } from './columns';

/** Mirror of a Stripe Price. Amounts are cached for display only; Stripe does all pricing. */
@Entity({ name: 'prices' })
export class Price {
  @PrimaryColumn({ name: 'stripe_id', type: 'text' })
  stripeId: string;

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

  @Column({ type: 'boolean', default: false })
  deleted: boolean;

  @Column(watermarkColumn())
  watermark: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
