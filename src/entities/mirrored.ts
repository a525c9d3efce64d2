/** Columns every mirrored Stripe object shares: its id, tombstone, watermark and last write time. */
import { Column, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { watermarkColumn } from './columns';

export abstract class Mirrored {
  @PrimaryColumn({ name: 'stripe_id', type: 'text' })
  stripeId: string;

  /** Stripe deleted the object (or ended it for good); no later event changes the row again. */
  @Column({ type: 'boolean', default: false })
  deleted: boolean;

  @Column(watermarkColumn())
  watermark: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
