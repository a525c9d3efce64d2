import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flow C, usage confirmed by Stripe: the meter events Stripe refused (`usage_rejections`), the
 * re-sends that make up what it lacks (`usage_fixes`), the last comparison of each (customer,
 * meter, hour) with its summaries (`usage_reconciliations`), and the index reconciliation and the
 * ledger prune read `usage_reports` through. Generated from the entities (src/entities/usage-*.ts).
 * The new tables start empty, so only the usage_reports index takes time (it blocks the drain's
 * ledger writes while it builds; CONCURRENTLY would deadlock with the migration lock, see
 * 1795740000000-processed-events-created-index.ts).
 */
export class UsageConfirmation1795752000000 implements MigrationInterface {
  name = 'UsageConfirmation1795752000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "usage_rejections" ("identifier" text NOT NULL, "code" text NOT NULL, "stripe_event_id" text NOT NULL, "rejected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_327ae2207d6a1a271b80efe6666" PRIMARY KEY ("identifier"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_usage_rejections_rejected_at" ON "usage_rejections" ("rejected_at")`);
    await queryRunner.query(
      `CREATE TABLE "usage_fixes" ("identifier" text NOT NULL, "stripe_customer_id" text NOT NULL, "meter" text NOT NULL, "hour_start" TIMESTAMP WITH TIME ZONE NOT NULL, "attempt" integer NOT NULL, "value" bigint NOT NULL, "reason" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "accepted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_87c55a05706e15088af4bac8cfe" PRIMARY KEY ("identifier"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_usage_fixes_hour_start" ON "usage_fixes" ("hour_start")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_usage_fixes_unaccepted" ON "usage_fixes" ("created_at") WHERE "accepted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_usage_fixes_cell" ON "usage_fixes" ("stripe_customer_id", "meter", "hour_start")`,
    );
    await queryRunner.query(
      `CREATE TABLE "usage_reconciliations" ("stripe_customer_id" text NOT NULL, "meter" text NOT NULL, "hour_start" TIMESTAMP WITH TIME ZONE NOT NULL, "outcome" text NOT NULL, "ledger_units" bigint NOT NULL, "stripe_units" bigint NOT NULL, "checked_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_f224dd0f99911036e2b67b5c23b" PRIMARY KEY ("stripe_customer_id", "meter", "hour_start"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_usage_reconciliations_hour_start" ON "usage_reconciliations" ("hour_start")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_usage_reconciliations_differing" ON "usage_reconciliations" ("hour_start") WHERE "outcome" <> 'confirmed'`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_usage_reports_event_timestamp" ON "usage_reports" ("event_timestamp")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_usage_reports_event_timestamp"`);
    await queryRunner.query(`DROP TABLE "usage_reconciliations"`);
    await queryRunner.query(`DROP TABLE "usage_fixes"`);
    await queryRunner.query(`DROP TABLE "usage_rejections"`);
  }
}
