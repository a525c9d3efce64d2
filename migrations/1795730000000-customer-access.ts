import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * customer_access: each customer's access answer (the access API's one-row read, and the "before"
 * of access-change notifications). access_notifications: their transactional outbox.
 */
export class CustomerAccess1795730000000 implements MigrationInterface {
  name = 'CustomerAccess1795730000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "customer_access" ("stripe_customer_id" text NOT NULL, "access" boolean NOT NULL, "status" text, "reason" text NOT NULL, "version" bigint NOT NULL, "grace_ends_at" bigint, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_be0d6a8701fe744bf0a9c3d03ab" PRIMARY KEY ("stripe_customer_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_4f0a380a46794134763e43feaa" ON "customer_access" ("grace_ends_at")`);
    await queryRunner.query(
      `CREATE TABLE "access_notifications" ("id" text NOT NULL, "stripe_customer_id" text NOT NULL, "sequence" bigint NOT NULL, "body" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "enqueued_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_598a752f6f322a909218abea228" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_0dbc139b01f73c5eb694d7266f" ON "access_notifications" ("stripe_customer_id")`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_4e9dc14d90dd3526cc3c3e9857" ON "access_notifications" ("enqueued_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_4e9dc14d90dd3526cc3c3e9857"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0dbc139b01f73c5eb694d7266f"`);
    await queryRunner.query(`DROP TABLE "access_notifications"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4f0a380a46794134763e43feaa"`);
    await queryRunner.query(`DROP TABLE "customer_access"`);
  }
}
