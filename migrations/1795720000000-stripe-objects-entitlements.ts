import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * stripe_objects: every Stripe object without a typed table (contract), newest state as jsonb.
 * customer_entitlements + entitlement_summaries: each customer's active entitlements and the
 * watermark of the summary they came from.
 */
export class StripeObjectsEntitlements1795720000000 implements MigrationInterface {
  name = 'StripeObjectsEntitlements1795720000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "customer_entitlements" ("stripe_customer_id" text NOT NULL, "stripe_feature_id" text NOT NULL, "lookup_key" text NOT NULL, "stripe_entitlement_id" text NOT NULL, CONSTRAINT "PK_8943b016a8bbf8e5661f25a5d53" PRIMARY KEY ("stripe_customer_id", "stripe_feature_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "entitlement_summaries" ("stripe_customer_id" text NOT NULL, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c73d578104ab9cba9a662b2e759" PRIMARY KEY ("stripe_customer_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "stripe_objects" ("stripe_id" text NOT NULL, "deleted" boolean NOT NULL DEFAULT false, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "type" text NOT NULL, "stripe_customer_id" text, "data" jsonb NOT NULL, CONSTRAINT "PK_7fca93a8e63a0dbda592ecd4af5" PRIMARY KEY ("stripe_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_27bc80dcd071fa2ff1fc7f9640" ON "stripe_objects" ("type")`);
    await queryRunner.query(`CREATE INDEX "IDX_4eb79f775370295a5246d65fb9" ON "stripe_objects" ("stripe_customer_id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_4eb79f775370295a5246d65fb9"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_27bc80dcd071fa2ff1fc7f9640"`);
    await queryRunner.query(`DROP TABLE "stripe_objects"`);
    await queryRunner.query(`DROP TABLE "entitlement_summaries"`);
    await queryRunner.query(`DROP TABLE "customer_entitlements"`);
  }
}
