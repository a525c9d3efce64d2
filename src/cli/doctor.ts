/**
 * `npm run doctor`: checks everything a deployment depends on and prints one line per check,
 * `ok  <check>: <detail>` or `FAIL <check>: <what is wrong> — <how to fix it>`; exits 1 on any FAIL.
 * The checks are in src/ops/doctor/; docs/deploy.md ("Checking it: npm run doctor") says what each one means.
 */
import { runDoctor } from '../ops/doctor/run';
import { exitCode, formatResult } from '../ops/doctor/result';

runDoctor()
  .then((results) => {
    for (const result of results) console.log(formatResult(result));
    // Explicit exit: a lingering reconnect timer of a failed connection must not hold a deploy pipeline.
    process.exit(exitCode(results));
  })
  .catch((error: Error) => {
    console.error(`doctor failed: ${error.message}`);
    process.exit(1);
  });
