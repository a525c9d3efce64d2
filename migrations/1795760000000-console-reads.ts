import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the operator console (src/admin/) reads that the tables could not answer cheaply:
 *  - processed_events gains the event's customer (its lock key when that is a customer id) and its
 *    source (webhook, replay), written by the dedupe insert (src/events/event-transaction.ts), and an
 *    index on (stripe_customer_id, processed_at) for "this customer's latest applied events". Rows
 *    applied before this migration keep NULLs: they age out with the prune.
 *  - customers gains an index on lower(email) for the console's search by email.
 * Adding nullable columns without a default is instant. The plain CREATE INDEX blocks writes to the
 * table while it builds (see 1795740000000 for why not CONCURRENTLY).
 */
export class ConsoleReads1795760000000 implements MigrationInterface {
  name = 'ConsoleReads1795760000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "processed_events" ADD "stripe_customer_id" text, ADD "source" text`);
    await queryRunner.query(
      `CREATE INDEX "IDX_processed_events_customer_processed" ON "processed_events" ("stripe_customer_id", "processed_at")`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_customers_email_lower" ON "customers" (lower("email"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_customers_email_lower"`);
    await queryRunner.query(`DROP INDEX "IDX_processed_events_customer_processed"`);
    await queryRunner.query(`ALTER TABLE "processed_events" DROP COLUMN "source", DROP COLUMN "stripe_customer_id"`);
  }
}
