import {
  DnsServerParseError,
  EmptyPortSelectionError,
  GroupDefinitionError,
  OutOfScopeError,
  PortParseError,
  ScanRequestError,
  ScopeConfigError,
  SourcePortInUseError,
  TargetParseError,
  TooManyHostsError,
  UnknownGroupError,
  UnknownProtocolError,
} from '@fleetqry/probe';

/** Bad input from the command line; printed as one line, exit code USAGE, nothing probed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const INPUT_ERRORS = [
  UsageError,
  TargetParseError,
  TooManyHostsError,
  DnsServerParseError,
  PortParseError,
  UnknownGroupError,
  GroupDefinitionError,
  EmptyPortSelectionError,
  OutOfScopeError,
  ScopeConfigError,
  ScanRequestError,
  UnknownProtocolError,
  SourcePortInUseError,
];

/** Input errors of libs that only some commands load; matched by name to keep start-up light. */
const INPUT_ERROR_NAMES = new Set(['InventoryError', 'PolicyError']);

/** Errors that mean "the request was wrong", as opposed to "something broke while running". */
export function isInputError(e: unknown): e is Error {
  return (
    INPUT_ERRORS.some((cls) => e instanceof cls) || (e instanceof Error && INPUT_ERROR_NAMES.has(e.name))
  );
}
