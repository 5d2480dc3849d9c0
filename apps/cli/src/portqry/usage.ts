/** PortQry's usage text, printed for `-?`, `/?`, no arguments, and in `fleetqry --help`. */
export const PORTQRY_USAGE = `PortQry mode (PortQry 2.0's command line, switches in any case):

  fleetqry -n HOST [-p tcp|udp|both] [-e PORT | -r FROM:TO | -o LIST] [-sp PORT] [-sl]
           [-cn !COMMUNITY!] [-nr] [-q] [-l FILE [-y]]
  fleetqry -local [-v] [-l FILE [-y]]
  fleetqry [-local] -wport PORT | -wpid PID [-wt SECONDS] [-v] [-l FILE [-y]]
  fleetqry -i [-n HOST] [-p PROTO] [-e PORT | -r FROM:TO | -o LIST] [-sp PORT] [-cn !COMMUNITY!]

  -n HOST       host to query: name or IP address (required outside local and interactive mode)
  -p PROTO      tcp (default), udp or both
  -e PORT       one port (default 80)
  -r FROM:TO    a range of ports, queried in ascending order
  -o LIST       ports queried in the order given: 53,389,135
  -sp PORT      source port of every packet of the port test and of the protocol query
  -sl           slow link: double every wait
  -cn !NAME!    SNMP community, between ! characters (default public)
  -nr           no reverse lookup of an IP address
  -q            quiet: only the exit code, 0 LISTENING, 1 NOT LISTENING,
                2 LISTENING or FILTERED / FILTERED, 4 nothing could be tested
  -l FILE       log the output to FILE, in PortQry's log layout
  -y            overwrite the -l file if it exists
  -local        this host's ports with their process (PID, name, service or unit)
  -wport PORT   watch a port: who holds it, then every change
  -wpid PID     watch a process's ports: what it holds, then every change
  -wt SECONDS   watch interval, 1 to 1200 (default 60)
  -v            verbose local and watch output (user, command line, modules)
  -i            interactive mode (type help at its prompt)
  -? or /?      this usage

  fleetqry additions: --dns-server ADDR[:PORT], --exclude-ports SPEC, --config FILE

Exit codes: 0 done (with -q: LISTENING), 1 and 2 with -q only (see -q), 4 a name did not resolve or
a local error stopped the test, 64 bad input, 70 runtime failure.
`;
