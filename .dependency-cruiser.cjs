/**
 * Import boundaries, checked by `npm run lint` (and so by `npm test`). The direction is the one in
 * ARCHITECTURE.md: src/ never imports the tools around it; api → queues; events and usage → db,
 * entities; ops → events (never the reverse); nothing but the composition root imports api;
 * no import cycles anywhere.
 */
const forbid = (name, from, to, comment) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: { path: to },
});

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
    forbid(
      'only-the-roles-import-api',
      '^src/(?!api/|roles/)',
      '^src/api/',
      'the api is an edge: only the roles wire it',
    ),
    forbid(
      'only-the-roles-import-jobs',
      '^src/(?!jobs/|roles/)',
      '^src/jobs/',
      'processors are wired by the roles, never called by the domain',
    ),
    forbid(
      'only-the-root-imports-roles',
      '^src/(?!roles/|service\\.ts$)',
      '^src/roles/',
      'roles are composed by service.ts',
    ),
    forbid('lib-is-a-leaf', '^src/lib/', '^src/(?!lib/)', 'lib holds dependency-free helpers'),
    forbid('entities-are-leaves', '^src/entities/', '^src/(?!entities/)', 'entities describe tables, nothing more'),
    forbid(
      'db-below-the-engines',
      '^src/db/',
      '^src/(api|queues|events|usage|ops|access|cli|runtime)/',
      'db is the layer the engines stand on',
    ),
    forbid(
      'queues-below-the-engines',
      '^src/queues/',
      '^src/(api|db|events|usage|ops|access|cli|entities)/',
      'queues only name queues, payloads and job options',
    ),
    forbid(
      'events-not-ops-or-usage',
      '^src/events/',
      '^src/(api|ops|usage|notify|cli)/',
      'the event engine gets its side effects injected; ops → events, never the reverse',
    ),
    forbid(
      'usage-not-events-or-ops',
      '^src/usage/',
      '^src/(api|events|ops|cli)/',
      'the usage counters and drain stand apart from the event engine',
    ),
    forbid(
      'access-below-the-engines',
      '^src/access/',
      '^src/(api|events|usage|ops|cli|queues)/',
      'the access rule reads the mirror only',
    ),
    forbid(
      'notify-not-edges',
      '^src/notify/',
      '^src/(api|ops|usage|cli)/',
      'notifications stand on the access step and their queue only',
    ),
    forbid('ops-not-cli', '^src/ops/', '^src/(api|cli)/', 'operator commands are called by the cli, not the reverse'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
