import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * subscriptions gains Stripe's `start_date` (generated from src/entities/subscription.entity.ts): the
 * usage drain stamps the window a subscription began in at its start, so that usage lands in the
 * first billing period (src/usage/window.ts usageTime). Rows mirrored before this migration keep
 * NULL until their next event or a backfill; only subscriptions that started within the last hours
 * matter (older starts are no longer inside a window with usage to send). Adding a nullable column
 * without a default is instant.
 */
export class SubscriptionStartDate1795770000000 implements MigrationInterface {
  name = 'SubscriptionStartDate1795770000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscriptions" ADD "start_date" bigint`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP COLUMN "start_date"`);
  }
}
