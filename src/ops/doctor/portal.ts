/** The Customer Portal check: portal sessions need an active default configuration. */
import type Stripe from 'stripe';
import { CheckResult, fail, ok } from './result';

export type PortalConfigurationView = Pick<Stripe.BillingPortal.Configuration, 'id' | 'active' | 'is_default'>;

export function portalResult(configurations: readonly PortalConfigurationView[]): CheckResult {
  const found = configurations.find((c) => c.is_default && c.active);
  if (found) return ok('customer portal', `active default configuration ${found.id}`);
  return fail(
    'customer portal',
    `no active default configuration (${configurations.length} configuration(s) found): portal sessions fail`,
    'save the portal settings once in the Dashboard (Settings → Billing → Customer portal)',
  );
}
