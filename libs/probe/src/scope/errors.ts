/** A target (or the address a name resolved to) is outside the scope allowlist or on the denylist. */
export class OutOfScopeError extends Error {
  override readonly name = 'OutOfScopeError';
  constructor(
    /** The address or literal token that was refused. */
    readonly address: string,
    /** The target token the user gave (may equal `address`). */
    readonly target: string,
    readonly reason: string,
  ) {
    const via = target !== address ? ` (target "${target}")` : '';
    super(`refused ${address}${via}: ${reason}`);
  }
}

/** A scope entry that is not a strict address, CIDR or range. */
export class ScopeConfigError extends Error {
  override readonly name = 'ScopeConfigError';
  constructor(
    readonly list: 'allow' | 'deny',
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`invalid scope ${list}list entry "${entry}": ${reason}`);
  }
}
