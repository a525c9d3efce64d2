/** Migrations in the order they run; listed explicitly so ts-jest and compiled builds load the same set. */
import { Initial1795645213096 } from './1795645213096-initial';
import { UsageReports1795700000000 } from './1795700000000-usage-reports';
import { BackfillCursors1795710000000 } from './1795710000000-backfill-cursors';
import { StripeObjectsEntitlements1795720000000 } from './1795720000000-stripe-objects-entitlements';
import { CustomerAccess1795730000000 } from './1795730000000-customer-access';
import { ProcessedEventsCreatedIndex1795740000000 } from './1795740000000-processed-events-created-index';
import { UsageConfirmation1795752000000 } from './1795752000000-usage-confirmation';
import { ConsoleReads1795760000000 } from './1795760000000-console-reads';
import { SubscriptionStartDate1795770000000 } from './1795770000000-subscription-start-date';

export const migrations = [
  Initial1795645213096,
  UsageReports1795700000000,
  BackfillCursors1795710000000,
  StripeObjectsEntitlements1795720000000,
  CustomerAccess1795730000000,
  ProcessedEventsCreatedIndex1795740000000,
  UsageConfirmation1795752000000,
  ConsoleReads1795760000000,
  SubscriptionStartDate1795770000000,
];
