/**
 * Starts the Stripe stand-in alone: `node dist/stand-in/main.js [--port 12111] [--api-key sk_test_…]`
 * (after `npm run build`). Prints its URL on stdout, stops on SIGINT/SIGTERM. Point the engine at it
 * with `STRIPE_API_URL=<url>`; drive it through the /_stand-in/ control routes (stand-in/README.md).
 */
import { StripeStandIn } from './server';

export const DEFAULT_PORT = 12111;

/** `--port N` and `--api-key K` from the command line; a bad value throws with the flag's name. */
export function parseArgs(argv: string[]): { port: number; apiKey?: string } {
  const out: { port: number; apiKey?: string } = { port: DEFAULT_PORT };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag !== '--port' && flag !== '--api-key')
      throw new Error(`unknown argument ${argv[i]} (expected --port N, --api-key K)`);
    const value = inline ?? argv[++i];
    if (flag === '--port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port must be an integer in [0, 65535], got ${String(value)}`);
      out.port = port;
    } else {
      if (!value) throw new Error('--api-key needs a value');
      out.apiKey = value;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const standIn = await StripeStandIn.start(args);
  process.stdout.write(`Stripe stand-in listening on ${standIn.url}\n`);
  const stop = (): void => {
    void standIn.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`stand-in: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
