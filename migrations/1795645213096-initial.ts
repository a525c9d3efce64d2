import { MigrationInterface, QueryRunner } from 'typeorm';

/** The mirror tables of the contract plus watermarks, tombstones and what the access rule needs. */

export class Initial1795645213096 implements MigrationInterface {
  name = 'Initial1795645213096';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "checkout_sessions" ("stripe_id" text NOT NULL, "stripe_customer_id" text, "stripe_subscription_id" text, "mode" text NOT NULL, "status" text, "payment_status" text NOT NULL, "client_reference_id" text, "deleted" boolean NOT NULL DEFAULT false, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_434c4fd36e51c71d9787aae8830" PRIMARY KEY ("stripe_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_956fa156819c7cb50e11e687d2" ON "checkout_sessions"  ("stripe_customer_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "customers" ("stripe_id" text NOT NULL, "email" text, "name" text, "deleted" boolean NOT NULL DEFAULT false, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_260d5dae920321c307c8c112543" PRIMARY KEY ("stripe_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "invoices" ("stripe_id" text NOT NULL, "stripe_customer_id" text NOT NULL, "stripe_subscription_id" text, "status" text, "amount_due" bigint NOT NULL, "amount_paid" bigint NOT NULL, "amount_remaining" bigint NOT NULL, "currency" text NOT NULL, "attempted" boolean NOT NULL, "payment_failed_at" bigint, "period_start" bigint, "period_end" bigint, "deleted" boolean NOT NULL DEFAULT false, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d6c5c0af935b31d7e68b2f32082" PRIMARY KEY ("stripe_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_ab8aa411421e84f09adda5c662" ON "invoices"  ("stripe_customer_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_5e865c18e83aa9b1a908248e2f" ON "invoices"  ("stripe_subscription_id") `);
    await queryRunner.query(
      `CREATE TABLE "prices" ("stripe_id" text NOT NULL, "stripe_product_id" text NOT NULL, "unit_amount" bigint, "currency" text NOT NULL, "active" boolean NOT NULL, "type" text NOT NULL, "recurring_interval" text, "usage_type" text, "meter" text, "deleted" boolean NOT NULL DEFAULT false, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_aa7c27c8a0d758edb8a1693b5ab" PRIMARY KEY ("stripe_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_c16a3bce77ec3942686cd109b3" ON "prices"  ("stripe_product_id") `);
    await queryRunner.query(
      `CREATE TABLE "processed_events" ("stripe_event_id" text NOT NULL, "type" text NOT NULL, "event_created" bigint NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2ac85b74c18040889ed32d34cd6" PRIMARY KEY ("stripe_event_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "products" ("stripe_id" text NOT NULL, "name" text NOT NULL, "active" boolean NOT NULL, "deleted" boolean NOT NULL DEFAULT false, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d12435aefa10997bf9d8fb9238b" PRIMARY KEY ("stripe_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "subscriptions" ("stripe_id" text NOT NULL, "stripe_customer_id" text NOT NULL, "status" text NOT NULL, "cancel_at_period_end" boolean NOT NULL, "canceled_at" bigint, "trial_end" bigint, "deleted" boolean NOT NULL DEFAULT false, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6f471fda26d674e197260ac69a1" PRIMARY KEY ("stripe_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_7aa77f6636d26cac1b731cac3a" ON "subscriptions"  ("stripe_customer_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "subscription_items" ("stripe_id" text NOT NULL, "stripe_subscription_id" text NOT NULL, "stripe_price_id" text NOT NULL, "quantity" integer, "current_period_start" bigint NOT NULL, "current_period_end" bigint NOT NULL, CONSTRAINT "PK_540dd8033f53da65a139575a300" PRIMARY KEY ("stripe_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_0eafae30b66f403cb40e3eddd8" ON "subscription_items"  ("stripe_subscription_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_0eafae30b66f403cb40e3eddd8"`);
    await queryRunner.query(`DROP TABLE "subscription_items"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7aa77f6636d26cac1b731cac3a"`);
    await queryRunner.query(`DROP TABLE "subscriptions"`);
    await queryRunner.query(`DROP TABLE "products"`);
    await queryRunner.query(`DROP TABLE "processed_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c16a3bce77ec3942686cd109b3"`);
    await queryRunner.query(`DROP TABLE "prices"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5e865c18e83aa9b1a908248e2f"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ab8aa411421e84f09adda5c662"`);
    await queryRunner.query(`DROP TABLE "invoices"`);
    await queryRunner.query(`DROP TABLE "customers"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_956fa156819c7cb50e11e687d2"`);
    await queryRunner.query(`DROP TABLE "checkout_sessions"`);
  }
}
