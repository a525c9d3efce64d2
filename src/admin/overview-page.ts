/**
 * `GET /admin`: the system at a glance, rendered from overview-model.ts. Which queue needs
 * attention is decided by `queueAttention` (pure) and shown in colour and in words (a failed count
 * is a link into Bull Board's failed jobs of that queue).
 */
import { dashboardUrl } from './dashboard';
import { formatAge, formatTime } from './format';
import { Html, html } from './html';
import { BOARD_BASE } from './layout';
import type { JobOutcome, Overview, Part, QueueRow } from './overview-model';

/** A queue waits this long before its oldest job is called late. */
export const LATE_WAITING_MS = 60_000;
export type Attention = 'ok' | 'warn' | 'bad';

export function queueAttention(row: QueueRow, now: number): Attention {
  if (row.failed > 0) return 'bad';
  if (row.oldestWaitingAt !== null && now - row.oldestWaitingAt > LATE_WAITING_MS) return 'warn';
  return 'ok';
}

const failedLink = (name: string, failed: number): Html =>
  failed > 0
    ? html`<a class="bad" href="${BOARD_BASE}/queue/${encodeURIComponent(name)}?status=failed">${failed} failed</a>`
    : html`<span class="muted">0</span>`;

/** A part's content, or the reason it could not be read. */
function shown<T>(p: Part<T>, render: (value: T) => Html): Html {
  return p.ok ? render(p.value) : html`<p class="bad">Could not read: ${p.error}</p>`;
}

const health = (name: string, p: Part<number>): Html =>
  html`<dt>${name}</dt>
    <dd>
      ${p.ok ? html`<span class="ok">up</span> (${p.value} ms)` : html`<span class="bad">down</span>: ${p.error}`}
    </dd>`;

function queuesTable(rows: QueueRow[], now: number): Html {
  return html`<div class="scroll">
    <table>
      <thead>
        <tr>
          <th>queue</th>
          <th class="num">waiting</th>
          <th class="num">active</th>
          <th class="num">delayed</th>
          <th class="num">failed</th>
          <th>oldest waiting</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((r) => {
          const attention = queueAttention(r, now);
          return html`<tr>
            <td>
              <a href="${BOARD_BASE}/queue/${encodeURIComponent(r.name)}"><code>${r.name}</code></a>
            </td>
            <td class="num">${r.waiting}</td>
            <td class="num">${r.active}</td>
            <td class="num">${r.delayed}</td>
            <td class="num">${failedLink(r.name, r.failed)}</td>
            <td class="${attention === 'warn' ? 'warn' : ''}">
              ${r.oldestWaitingAt === null ? '—' : `${formatAge(now - r.oldestWaitingAt)} ago`}
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

function intake(o: Overview, live: boolean): Html {
  return html`<dl>
      <dt>newest received</dt>
      <dd>
        ${shown(o.received, (r) =>
          r === null
            ? html`<span class="muted">none kept in the queues</span>`
            : html`<a href="${dashboardUrl(r.eventId, live)}"><code>${r.eventId}</code></a> ${r.type},
                ${formatAge(o.now - r.receivedAt)} ago`,
        )}
      </dd>
      <dt>newest applied</dt>
      <dd>
        ${shown(o.applied, (a) =>
          a === null
            ? html`<span class="muted">none yet</span>`
            : html`<a href="${dashboardUrl(a.eventId, live)}"><code>${a.eventId}</code></a> ${a.type}, created
                ${formatTime(a.created)}, applied ${formatAge(o.now - a.processedAt.getTime())} ago`,
        )}
      </dd>
    </dl>
    <p class="muted">
      Received: the newest job on the event queues. Applied: the newest event in processed_events by Stripe's
      <code>created</code>. A received age far beyond your usual gap between events means Stripe may not reach
      <code>/webhooks/stripe</code>: <code>npm run doctor</code> checks the endpoint.
    </p>`;
}

const outcome = (label: string, j: JobOutcome | null, now: number, cls = ''): Html =>
  html`<dt>${label}</dt>
    <dd>
      ${j === null ? html`<span class="muted">none kept</span>` : html`<span class="${cls}">${j.at === null ? '' : `${formatAge(now - j.at)} ago: `}${j.detail}</span>`}
    </dd>`;

function drain(o: Overview): Html {
  if (o.drain === null) return html`<p class="muted">No usage drain queue in this process.</p>`;
  return shown(
    o.drain,
    (d) =>
      html`<dl>${outcome('last drain', d.lastDone, o.now)}${outcome('last failure', d.lastFailed, o.now, 'bad')}</dl>`,
  );
}

function notifications(o: Overview): Html {
  if (o.notifications === null) return html`<p class="muted">Off: ACCESS_WEBHOOK_URL is not set.</p>`;
  return shown(
    o.notifications,
    (n) =>
      html`<dl>
        <dt>waiting</dt>
        <dd>${n.waiting}${n.unenqueued > 0 ? html` (and ${n.unenqueued} in the outbox, not yet enqueued)` : ''}</dd>
        <dt>retrying</dt>
        <dd class="${n.retrying > 0 ? 'warn' : ''}">${n.retrying}</dd>
        <dt>failed</dt>
        <dd>${n.failed > 0 ? html`<span class="bad">${n.failed}</span>` : 0}</dd>
        ${outcome('last receiver error', n.lastError, o.now, 'bad')}
      </dl>`,
  );
}

/** The last usage reconciliation's outcome: hours that differ from Stripe per outcome, refusals since. */
function reconciliation(o: Overview): Html {
  return shown(o.reconciliation, (r) => {
    const last =
      r.lastCheckedAt === null
        ? html`<span class="muted">never (the schedule or npm run usage:reconcile compares)</span>`
        : html`${formatTime(r.lastCheckedAt)} (${formatAge(o.now - r.lastCheckedAt * 1000)} ago)`;
    const rows = r.differing.map(
      (d) =>
        html`<dt>${d.outcome}</dt>
          <dd class="bad">${d.hours} hour(s), ${d.units} units (${d.meters.join(', ')})</dd>`,
    );
    const fix =
      r.differing.length > 0 || r.refusedSince > 0
        ? html`<p>Run <code>npm run usage:reconcile -- --fix</code> (docs/usage.md says what each outcome means).</p>`
        : '';
    return html`<dl>
        <dt>last comparison</dt>
        <dd>${last}</dd>
        ${
          r.differing.length === 0
            ? html`<dt>last 35 days</dt>
                <dd>every compared hour matches Stripe</dd>`
            : rows
        }
        <dt>refused since</dt>
        <dd class="${r.refusedSince > 0 ? 'bad' : ''}">${r.refusedSince} meter event(s)</dd>
      </dl>
      ${fix}`;
  });
}

export function overviewBody(o: Overview, live: boolean): Html {
  return html`<h1>Overview</h1>
    <div class="grid">
      <section>
        <h2>Health</h2>
        <dl>${health('PostgreSQL', o.postgres)}${health('Redis', o.redis)}</dl>
      </section>
      <section>
        <h2>Stripe events</h2>
        ${intake(o, live)}
      </section>
    </div>
    <section>
      <h2>Queues</h2>
      ${shown(o.queues, (rows) => queuesTable(rows, o.now))}
    </section>
    <div class="grid">
      <section>
        <h2>Usage drain</h2>
        ${drain(o)}
      </section>
      <section>
        <h2>Usage reconciliation</h2>
        ${reconciliation(o)}
      </section>
      <section>
        <h2>Access-change notifications</h2>
        ${notifications(o)}
      </section>
    </div>`;
}
