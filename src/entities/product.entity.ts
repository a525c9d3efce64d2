import { Column, Entity } from 'typeorm';
import { Mirrored } from './mirrored';

/** Mirror of a Stripe Product. */
@Entity({ name: 'products' })
export class Product extends Mirrored {
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'boolean' })
  active: boolean;
}
