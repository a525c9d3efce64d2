/**
 * The metrics of flow C (usage confirmed by Stripe), part of every service's Metrics (metrics.ts):
 * meter events Stripe refused (thin event reports), what the last scheduled reconciliation found
 * in the last 35 days, and the ledger rows pruned. Names start with `billing_usage_`; docs/operations.md lists them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface UsageConfirmationMetrics {
  usageEventsRejected: Counter<'meter' | 'code'>;
  usageReconcileHours: Gauge<'outcome'>;
  usageReconcileUnits: Gauge<'outcome'>;
  usageReconcileLastRun: Gauge;
  usageLedgerPruned: Counter;
}

export function usageConfirmationMetrics(registers: Registry[]): UsageConfirmationMetrics {
  return {
    usageEventsRejected: new Counter({
      name: 'billing_usage_events_rejected_total',
      help: 'Meter events Stripe refused after accepting their batch (thin event error reports), by meter event name (unknown before its ledger row) and error code',
      labelNames: ['meter', 'code'],
      registers,
    }),
    usageReconcileHours: new Gauge({
      name: 'billing_usage_reconcile_hours',
      help: 'Hours of the last 35 days whose last comparison with Stripe differs, by outcome (missing, rejected, excess, expired), as of the last scheduled reconciliation',
      labelNames: ['outcome'],
      registers,
    }),
    usageReconcileUnits: new Gauge({
      name: 'billing_usage_reconcile_units',
      help: 'Units by which those hours differ from Stripe (|ledger - Stripe|), by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    usageReconcileLastRun: new Gauge({
      name: 'billing_usage_reconcile_last_run_timestamp_seconds',
      help: 'When the last scheduled reconciliation finished (unix s)',
      registers,
    }),
    usageLedgerPruned: new Counter({
      name: 'billing_usage_ledger_pruned_total',
      help: 'Usage ledger rows (usage_reports and what reconciliation stored with them) the scheduled prune deleted (older than USAGE_LEDGER_RETENTION_DAYS)',
      registers,
    }),
  };
}
