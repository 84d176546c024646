import { parseArgs } from 'node:util';

export const USAGE = `Usage: npm run seed:synthetic -- --services N [--seed S] [--batch B]

Generates N realistic, varied ORUK 3.0 services (with ~N/6 organizations and ~N/2
locations in real UK towns) and loads them through the loader, after the taxonomies
of seed/data. The database is DATABASE_URL, or the embedded PostgreSQL when it is
not set (the same one \`npm start\` uses). Loading the same seed again changes nothing.

Options:
  --services N   how many services to generate (required, an integer >= 1)
  --seed S       same seed, same documents, ids included (default 1)
  --batch B      documents per loader batch, one transaction each (default 500)
  -h, --help     show this help`;

export interface SyntheticOptions {
  services: number;
  seed: number;
  batch: number;
  help: boolean;
}

/** A bad command line: the command prints the message and the usage, and exits with 2. */
export class UsageError extends Error {}

export function parseOptions(argv: string[]): SyntheticOptions {
  let values: { services?: string; seed?: string; batch?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        services: { type: 'string' },
        seed: { type: 'string' },
        batch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { services: 0, seed: 1, batch: 500, help: true };
  if (values.services === undefined) throw new UsageError('--services N is required');
  return {
    services: integer('--services', values.services, 1, Number.MAX_SAFE_INTEGER),
    seed: integer('--seed', values.seed ?? '1', 0, Number.MAX_SAFE_INTEGER),
    batch: integer('--batch', values.batch ?? '500', 1, 10_000),
    help: false,
  };
}

function integer(option: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${option} must be an integer ${range}, not "${text}"`);
  }
  return value;
}
