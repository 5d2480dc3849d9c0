/**
 * `fleetqry --server URL --token T scan start …`: the global form moves after the subcommand, where the
 * subcommands declare these options (commander picks the subcommand from the first word).
 */
export function hoistServerOptions(argv: string[]): string[] {
  const hoisted: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if ((a === '--server' || a === '--token') && i + 1 < argv.length) {
      hoisted.push(a, argv[i + 1]!);
      i += 2;
    } else if (/^--(server|token)=/.test(a)) {
      hoisted.push(a);
      i += 1;
    } else break;
  }
  return hoisted.length ? [...argv.slice(i), ...hoisted] : argv;
}
