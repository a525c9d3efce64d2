/**
 * The demo's step 5 (flow C): usage for a customer Stripe cannot map yet (created in the product
 * before its Stripe customer existed) is accepted by the meter stream, refused afterwards (a thin
 * event), shown as `rejected` by the usage route, then — the customer mapped — sent again by
 * `npm run usage:reconcile -- --fix` and shown as `confirmed`.
 */
import { waitFor } from '../src/lib/wait';
import { differenceLine, fixLine, summaryLine } from '../src/usage/reconcile-lines';
import { createReconciler, defaultReconcileRange, runReconciliation } from '../src/usage/reconcile-run';
import { createStripeClient } from '../src/stripe';
import { customer } from '../stand-in/events';
import type { DemoStack } from './stack';

export interface ConfirmationStory {
  stack: DemoStack;
  print(line: string): void;
  v1(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }>;
}

type Totals = { sent: number; pending: number; rejected: number; confirmed: number };

export async function usageConfirmationStep(
  story: ConfirmationStory,
  meter: string,
): Promise<{ ok: boolean; actual: string }> {
  const { stack, print } = story;
  const late = customer({ name: 'Grace Hopper' });
  stack.standIn.refuseMeterCustomer(late.id); // Stripe has no customer with this id yet
  const at = Math.floor(Date.now() / 1000) - 2 * 3600;
  const res = await story.v1('POST', '/usage', { customer: late.id, meter, value: 42, timestamp: at });
  print(`    POST /v1/usage {"customer":"${late.id}","value":42} → ${res.status}`);
  await stack.service.usage!.drainNow();
  const usage = async () =>
    (
      (await story.v1('GET', `/customers/${late.id}/usage?from=${at - 3600}&to=${at + 3600}`)).json as {
        meters: Record<string, Totals>;
      }
    ).meters[meter];
  // waitFor returns the first truthy answer.
  const refused = (await waitFor(
    async () => {
      const totals = await usage();
      return totals?.rejected ? totals : undefined;
    },
    30_000,
    'the refusal',
    50,
  )) as Totals;
  print(`    Stripe accepted the batch, then refused it (thin event); GET usage → ${JSON.stringify(refused)}`);

  print(`    The customer now exists in Stripe; npm run usage:reconcile -- --fix:`);
  stack.standIn.acceptMeterCustomer(late.id);
  const stripe = createStripeClient({ secretKey: stack.config.STRIPE_SECRET_KEY, apiUrl: stack.config.STRIPE_API_URL });
  const reconciler = createReconciler({ config: stack.config, dataSource: stack.service.dataSource, stripe });
  const report = await runReconciliation(reconciler, {
    ...defaultReconcileRange(Date.now()),
    fix: true,
    onDifference: (row, pass) => print(`      ${pass === 'after' ? 'after fix: ' : ''}${differenceLine(row)}`),
    onFix: (fix) => print(`      ${fixLine(fix)}`),
  });
  print(`      ${summaryLine(report.after!, 'after fix')}`);
  const fixed = await usage();
  print(`    GET usage → ${JSON.stringify(fixed)}`);
  const ok = refused.rejected === 42 && fixed.confirmed === 42 && fixed.rejected === 0;
  return { ok, actual: `rejected ${refused.rejected}, then confirmed ${fixed.confirmed} (rejected ${fixed.rejected})` };
}
