import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { watermarkColumn } from './columns';

/** Mirror of a Stripe Customer: ids and cached fields only, never payment details. */
@Entity({ name: 'customers' })
export class Customer {
  @PrimaryColumn({ name: 'stripe_id', type: 'text' })
  stripeId: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'boolean', default: false })
  deleted: boolean;

  @Column(watermarkColumn())
  watermark: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
