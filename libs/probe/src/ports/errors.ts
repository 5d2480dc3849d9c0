/** A port token that is not 1..65535, a valid range or a known service name. */
export class PortParseError extends Error {
  override readonly name = 'PortParseError';
  constructor(
    readonly token: string,
    readonly reason: string,
  ) {
    super(`invalid port "${token}": ${reason}`);
  }
}

export class UnknownGroupError extends Error {
  override readonly name = 'UnknownGroupError';
  constructor(
    readonly group: string,
    readonly known: readonly string[],
  ) {
    super(`unknown service group "${group}" (known: ${known.join(', ')})`);
  }
}

/** A user group file that fails validation; `issues` name the field, e.g. `groups.web2.tcp`. */
export class GroupDefinitionError extends Error {
  override readonly name = 'GroupDefinitionError';
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid service groups in ${source}: ${issues.join('; ')}`);
  }
}

/** Nothing left to scan (nothing requested, or everything excluded). */
export class EmptyPortSelectionError extends Error {
  override readonly name = 'EmptyPortSelectionError';
}

/** A `-p` value other than tcp, udp or both. */
export class ProtocolChoiceError extends Error {
  override readonly name = 'ProtocolChoiceError';
  constructor(readonly value: string) {
    super(`invalid protocol "${value}": expected tcp, udp or both`);
  }
}
