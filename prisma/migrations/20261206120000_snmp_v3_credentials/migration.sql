-- SNMPv3 USM users as credentials: the principal is the user name; the sealed secret is the JSON of the
-- authentication and privacy protocols and passphrases (libs/contracts SnmpV3KeysSchema).
ALTER TYPE "credential_kind" ADD VALUE 'snmp-v3-user';
