import type { Proto } from '@fleetqry/contracts';

import { ProtocolChoiceError } from './errors.js';

/** PortQry `-p`: which transports to probe. */
const PROTOCOL_CHOICES = ['tcp', 'udp', 'both'] as const;
export type ProtocolChoice = (typeof PROTOCOL_CHOICES)[number];

/** Case-insensitive like PortQry (`-p TCP` works). */
export function parseProtocolChoice(text: string): ProtocolChoice {
  const v = text.trim().toLowerCase();
  if ((PROTOCOL_CHOICES as readonly string[]).includes(v)) return v as ProtocolChoice;
  throw new ProtocolChoiceError(text);
}

export function protosOf(choice: ProtocolChoice): Proto[] {
  return choice === 'both' ? ['tcp', 'udp'] : [choice];
}
