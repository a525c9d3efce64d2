import { Column, Entity } from 'typeorm';
import { Mirrored } from './mirrored';

/** Mirror of a Stripe Customer: ids and cached fields only, never payment details. */
@Entity({ name: 'customers' })
export class Customer extends Mirrored {
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text', nullable: true })
  name: string | null;
}
