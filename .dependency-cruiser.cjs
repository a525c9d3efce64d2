/**
 * Import boundaries, checked by `npm run lint` (and so by `npm test`). The rules for src/ are read
 * from the layout table of ARCHITECTURE.md ("may import"), so the map and the lint cannot disagree:
 * each folder (or top-level file) of src/ may import only what its row lists. The rules for the
 * trees around src/ follow the paragraph under that table. No import cycles anywhere.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const forbid = (name, from, to, comment) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: { path: to },
});

/** The rows of ARCHITECTURE.md's layout table: area ('lib', 'config', …) → the areas it may import. */
function layoutTable() {
  const text = readFileSync(join(__dirname, 'ARCHITECTURE.md'), 'utf8');
  const rows = new Map();
  for (const line of text.split('\n')) {
    const m = /^\| `src\/([a-z-]+)(\/|\.ts)` \|.*\| ([^|]+) \|$/.exec(line);
    if (!m) continue;
    const allowed = m[3].trim() === '—' ? [] : m[3].split(',').map((s) => s.trim().replace(/`/g, ''));
    rows.set(m[1], { folder: m[2] === '/', allowed });
  }
  if (rows.size < 10) throw new Error('ARCHITECTURE.md: the layout table was not found');
  return rows;
}

const pathOf = (area, { folder }) => (folder ? `^src/${area}/` : `^src/${area}\\.ts$`);

function layoutRules() {
  const rows = layoutTable();
  const areas = [...rows.keys()];
  // A folder or file of src/ without a row is refused both ways: add its row first.
  const unlisted = `^src/(?!${areas.map((a) => pathOf(a, rows.get(a)).slice(5)).join('|')})`;
  const noRow = 'a folder or file of src/ without a row in the layout table of ARCHITECTURE.md';
  const perArea = areas.map((area) => {
    const row = rows.get(area);
    const unknown = row.allowed.filter((a) => !rows.has(a));
    if (unknown.length) throw new Error(`ARCHITECTURE.md: src/${area} may import unknown ${unknown.join(', ')}`);
    const others = areas.filter((a) => a !== area && !row.allowed.includes(a)).map((a) => pathOf(a, rows.get(a)));
    const to = others.length ? `(${others.join('|')})` : '^$';
    return forbid(
      `layout:${area}`,
      pathOf(area, row),
      to,
      `ARCHITECTURE.md: src/${area} may import ${row.allowed.join(', ') || 'nothing of src/'}`,
    );
  });
  return [
    forbid('layout:no-row', unlisted, '^src/', noRow),
    forbid('layout:no-row-import', '^src/', unlisted, noRow),
    ...perArea,
  ];
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'import cycles make load order and ownership unclear',
      from: {},
      to: { circular: true },
    },
    forbid(
      'src-stays-inside',
      '^src/',
      '^(test|bench|chaos|demo|stand-in)/',
      'production code never imports tests, tools, the demo or the stand-in',
    ),
    forbid(
      'stand-in-stays-apart',
      '^stand-in/',
      '^(src|test|bench|chaos|demo)/',
      'the stand-in is a fake Stripe: it knows nothing of the engine',
    ),
    forbid('demo-not-tools', '^demo/', '^(test|bench|chaos)/', 'npm run demo ships without the test and tool trees'),
    ...layoutRules(),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
