import { Column, Entity, Index } from 'typeorm';
import { Mirrored } from './mirrored';

/** Mirror of a Stripe Customer: ids and cached fields only, never payment details. */
@Entity({ name: 'customers' })
// lower(email), for the operator console's search: an expression TypeORM cannot describe (migration 1795760000000).
@Index('IDX_customers_email_lower', { synchronize: false })
export class Customer extends Mirrored {
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text', nullable: true })
  name: string | null;
}
