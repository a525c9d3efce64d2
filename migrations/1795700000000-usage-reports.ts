import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usage ledger (flow B): one row per meter event Stripe accepted, keyed by its identifier.
 * Generated from src/entities/usage-report.entity.ts; the index serves reconciliation by customer,
 * meter and period.
 */
export class UsageReports1795700000000 implements MigrationInterface {
  name = 'UsageReports1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "usage_reports" ("identifier" text NOT NULL, "claim_id" text NOT NULL, "stripe_customer_id" text NOT NULL, "meter" text NOT NULL, "value" bigint NOT NULL, "window_start" TIMESTAMP WITH TIME ZONE NOT NULL, "window_end" TIMESTAMP WITH TIME ZONE NOT NULL, "event_timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7c87a90910c45375a097e7686c5" PRIMARY KEY ("identifier"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_6e50086e77415ce4ff50346c0b" ON "usage_reports"  ("stripe_customer_id", "meter", "window_start") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_6e50086e77415ce4ff50346c0b"`);
    await queryRunner.query(`DROP TABLE "usage_reports"`);
  }
}
