import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { watermarkColumn } from './columns';

/** Mirror of a Stripe Product. */
@Entity({ name: 'products' })
export class Product {
  @PrimaryColumn({ name: 'stripe_id', type: 'text' })
  stripeId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ type: 'boolean', default: false })
  deleted: boolean;

  @Column(watermarkColumn())
  watermark: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
