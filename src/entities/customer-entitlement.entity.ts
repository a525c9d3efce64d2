import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintColumn } from './columns';

/**
 * A customer's active entitlements (Stripe Entitlements), replaced as a whole by each
 * `entitlements.active_entitlement_summary.updated` newer than the customer's summary watermark.
 */
@Entity({ name: 'customer_entitlements' })
export class CustomerEntitlement {
  @PrimaryColumn({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  @PrimaryColumn({ name: 'stripe_feature_id', type: 'text' })
  stripeFeatureId: string;

  @Column({ name: 'lookup_key', type: 'text' })
  lookupKey: string;

  @Column({ name: 'stripe_entitlement_id', type: 'text' })
  stripeEntitlementId: string;
}

/** The watermark of a customer's entitlement set: the `created` second of the summary stored. */
@Entity({ name: 'entitlement_summaries' })
export class EntitlementSummary {
  @PrimaryColumn({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  @Column(bigintColumn({ name: 'watermark' }))
  watermark: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
