import { Column, Entity, Index } from 'typeorm';
import { Mirrored } from './mirrored';

/**
 * Every Stripe object with an `id` that has no typed table (charges, refunds, disputes, payment
 * intents, credit notes, tax ids, subscription schedules, …): its newest state as JSON, under the
 * same exactly-once, watermark and tie-refetch rules as the typed tables. Card details are
 * dropped before storing (events/handlers/stripe-object.ts).
 */
@Entity({ name: 'stripe_objects' })
export class StripeObjectRow extends Mirrored {
  /** The object's `object` value, e.g. `charge`, `charge.dispute` is `dispute`. */
  @Index()
  @Column({ type: 'text' })
  type: string;

  @Index()
  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true })
  stripeCustomerId: string | null;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;
}
