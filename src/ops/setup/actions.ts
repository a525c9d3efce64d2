/**
 * What `npm run setup` plans and prints. A plan is a list of actions: writes (create, update or
 * delete an endpoint or destination) and notes (nothing to do, or advice). Each prints one line in the
 * doctor's style, `<status> <check>: <detail>[ — <what to do>]`: a write says `create …` as planned,
 * `would create …` under `--dry-run` and `created … we_…` once done; a note prints as planned.
 */
import type Stripe from 'stripe';

/** `metadata.managed_by` of everything setup creates: later runs (and people) can tell setup's own objects. */
export const MANAGED_BY = 'stripe-billing-engine';

/** `ok`: right as it is; `skip`: not touched; `old`: superseded, to remove later; `FAIL`: cannot be done. */
export type NoteStatus = 'ok' | 'skip' | 'old' | 'FAIL';

export interface Note {
  kind: 'note';
  status: NoteStatus;
  check: string;
  detail: string;
  advice?: string;
}

interface Write {
  check: 'webhook endpoint' | 'event destination';
  detail: string;
}

export type SetupWrite =
  | (Write & { kind: 'create-endpoint'; params: Stripe.WebhookEndpointCreateParams })
  | (Write & { kind: 'update-endpoint'; id: string; params: Stripe.WebhookEndpointUpdateParams })
  | (Write & { kind: 'delete-endpoint'; id: string })
  | (Write & { kind: 'create-destination'; params: Stripe.V2.Core.EventDestinationCreateParams })
  | (Write & { kind: 'update-destination'; id: string; params: Stripe.V2.Core.EventDestinationUpdateParams });

export type SetupAction = Note | SetupWrite;

export const note = (status: NoteStatus, check: string, detail: string, advice?: string): Note => ({
  kind: 'note',
  status,
  check,
  detail,
  advice,
});

const VERBS = { create: ['create', 'created'], update: ['update', 'updated'], delete: ['delete', 'deleted'] } as const;

/** When the line is printed: in the plan, under --dry-run, or once done (with the id Stripe gave a new object). */
export type LineMoment = { at: 'plan' } | { at: 'dry-run' } | { at: 'done'; id: string };

export function formatAction(action: SetupAction, moment: LineMoment = { at: 'plan' }): string {
  if (action.kind === 'note') {
    const status = action.status === 'ok' ? 'ok ' : action.status; // `ok  ` lines up with `FAIL` as in the doctor
    return `${status} ${action.check}: ${action.detail}${action.advice ? ` — ${action.advice}` : ''}`;
  }
  const [present, past] = VERBS[action.kind.split('-')[0] as keyof typeof VERBS];
  const id = 'id' in action ? action.id : moment.at === 'done' ? moment.id : undefined;
  const check = id === undefined ? action.check : `${action.check} ${id}`;
  const verb = moment.at === 'done' ? past : moment.at === 'dry-run' ? `would ${present}` : present;
  return `${verb} ${check}: ${action.detail}`;
}

export const isWrite = (action: SetupAction): action is SetupWrite => action.kind !== 'note';
