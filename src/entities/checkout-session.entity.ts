import { Column, Entity, Index } from 'typeorm';
import { Mirrored } from './mirrored';

/** Mirror of a completed Stripe Checkout Session: links a customer to what it bought. */
@Entity({ name: 'checkout_sessions' })
export class CheckoutSession extends Mirrored {
  @Index()
  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true })
  stripeCustomerId: string | null;

  @Column({ name: 'stripe_subscription_id', type: 'text', nullable: true })
  stripeSubscriptionId: string | null;

  @Column({ type: 'text' })
  mode: string;

  @Column({ type: 'text', nullable: true })
  status: string | null;

  @Column({ name: 'payment_status', type: 'text' })
  paymentStatus: string;

  @Column({ name: 'client_reference_id', type: 'text', nullable: true })
  clientReferenceId: string | null;
}
