import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line the CLI cannot run as given: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandLine<O extends Options> {
  values: { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string };
  positionals: string[];
}

/**
 * Parses a command's arguments strictly (an unknown option or a missing value is a
 * UsageError), with `--help`/`-h` on every command. Undefined when help was asked for:
 * the usage is printed and the command ends with 0. `positionals` is [fewest, most].
 */
export function parseCommand<O extends Options>(
  args: string[],
  usage: string,
  options: O,
  positionals: [number, number],
): CommandLine<O> | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args, strict: true, allowPositionals: true,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    // Node's message for an unknown option explains `--` at length; the option is what matters.
    const unknown = /^Unknown option '([^']+)'/.exec((e as Error).message);
    throw new UsageError(unknown ? `unknown option ${unknown[1]}` : (e as Error).message, usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return undefined;
  }
  const [fewest, most] = positionals;
  const count = parsed.positionals.length;
  if (count < fewest) throw new UsageError('missing arguments', usage);
  if (count > most) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[most])}`, usage);
  return parsed as unknown as CommandLine<O>;
}

/** The subcommand of a command with several (`user add`, `app-password list`), and its arguments. */
export function subcommand(args: string[], usage: string, names: readonly string[]): [string, string[]] | undefined {
  const [name, ...rest] = args;
  if (name === undefined) throw new UsageError('missing command', usage);
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return undefined;
  }
  if (!names.includes(name)) throw new UsageError(`unknown command ${JSON.stringify(name)}`, usage);
  return [name, rest];
}
