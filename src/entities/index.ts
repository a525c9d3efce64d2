/** Every entity the DataSource knows, in one list. */
import { CheckoutSession } from './checkout-session.entity';
import { AccessNotification, CustomerAccess } from './customer-access.entity';
import { Customer } from './customer.entity';
import { CustomerEntitlement, EntitlementSummary } from './customer-entitlement.entity';
import { Invoice } from './invoice.entity';
import { Price } from './price.entity';
import { ProcessedEvent } from './processed-event.entity';
import { Product } from './product.entity';
import { StripeObjectRow } from './stripe-object.entity';
import { Subscription } from './subscription.entity';
import { SubscriptionItem } from './subscription-item.entity';
import { UsageFix } from './usage-fix.entity';
import { UsageReconciliation } from './usage-reconciliation.entity';
import { UsageRejection } from './usage-rejection.entity';
import { UsageReport } from './usage-report.entity';

export {
  AccessNotification,
  CheckoutSession,
  CustomerAccess,
  Customer,
  CustomerEntitlement,
  EntitlementSummary,
  Invoice,
  Price,
  ProcessedEvent,
  Product,
  StripeObjectRow,
  Subscription,
  SubscriptionItem,
  UsageReport,
  UsageFix,
  UsageReconciliation,
  UsageRejection,
};

export const entities = [
  ProcessedEvent,
  Customer,
  Product,
  Price,
  Subscription,
  SubscriptionItem,
  Invoice,
  CheckoutSession,
  UsageReport,
  UsageFix,
  UsageReconciliation,
  UsageRejection,
  StripeObjectRow,
  CustomerEntitlement,
  EntitlementSummary,
  CustomerAccess,
  AccessNotification,
];
