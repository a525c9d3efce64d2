/**
 * The console's page shell (header with the search box, links to the overview and Bull Board, a
 * read-only badge) and its one stylesheet, served from `/admin/console.css` so the pages can run
 * under a Content-Security-Policy that allows no inline script or style at all. Readable at 1280 px
 * and at phone width: tables scroll sideways inside their section instead of widening the page.
 */
import { Html, html } from './html';

export const CONSOLE_BASE = '/admin';
export const BOARD_BASE = '/admin/queues';
export const STYLESHEET_PATH = `${CONSOLE_BASE}/console.css`;

/** No script, no inline style, no framing, forms only to this origin. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface PageOptions {
  title: string;
  readOnly: boolean;
  /** What the search box shows (the last query). */
  query?: string;
}

export function page(options: PageOptions, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · billing console</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <header>
          <a href="${CONSOLE_BASE}">Billing console</a>
          <form method="get" action="${CONSOLE_BASE}/customers" role="search">
            <input
              type="search"
              name="q"
              value="${options.query ?? ''}"
              placeholder="cus_…, sub_…, in_… or email"
              aria-label="Customer id, subscription id, invoice id or email"
            />
            <button type="submit">Find</button>
          </form>
          <a href="${BOARD_BASE}">Queues (Bull Board)</a>
          ${options.readOnly ? html`<span class="badge" title="ADMIN_READ_ONLY=true">read-only</span>` : ''}
        </header>
        <main>${body}</main>
      </body>
    </html> `;
}

export const STYLESHEET = `:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--ok:#12704f;--bad:#b42318;--warn:#9a5505;--link:#1f5fbf}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
header form{display:flex;gap:.4rem;flex:1 1 16rem;max-width:32rem}
input[type=search]{flex:1;min-width:0;padding:.35rem .5rem;border:1px solid var(--line);border-radius:4px;font:inherit}
button{font:inherit;padding:.35rem .8rem;border:1px solid var(--link);background:var(--link);color:#fff;border-radius:4px;cursor:pointer}
button:disabled{opacity:.5;cursor:not-allowed}
main{max-width:1240px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.2rem 0 .8rem;overflow-wrap:anywhere}
h2{font-size:1.05rem;margin:0 0 .5rem}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;margin-bottom:1rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere}
a{color:var(--link)}
td a.id,td .nowrap{white-space:nowrap;overflow-wrap:normal}
.ok{color:var(--ok);font-weight:600}.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}.muted{color:var(--muted)}
.answer{font-size:1.1rem;padding:.6rem .8rem;border-radius:6px;border:1px solid;margin:0 0 .6rem}
.answer.ok{background:#ecfdf3;border-color:#abefc6}.answer.bad{background:#fef3f2;border-color:#fecdca}
tr.cause td{background:#fef3f2}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.banner{padding:.6rem .8rem;border-radius:6px;background:#eff8ff;border:1px solid #b2ddff;margin-bottom:1rem}
.banner.bad{background:#fef3f2;border-color:#fecdca}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;background:#fef0c7;color:#7a2e0e;font-size:.8rem;font-weight:600}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0 0 1rem}
@media (max-width:640px){body{font-size:14px}main{padding:.6rem}section{padding:.6rem}th,td{padding:.25rem .35rem}.scroll th,.scroll td{white-space:nowrap}}
`;
