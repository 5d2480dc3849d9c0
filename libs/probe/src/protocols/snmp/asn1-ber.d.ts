// asn1-ber (net-snmp's own BER codec) ships no types; declare only the part this folder uses.
declare module 'asn1-ber' {
  export interface BerReader {
    readonly offset: number;
    readonly length: number;
    readonly remain: number;
    peek(): number | null;
    readSequence(tag?: number): number | null;
    readInt(tag?: number): number | null;
    readString(tag: number, asBuffer: true): Buffer | null;
    readOID(tag?: number): string | null;
  }
  export interface BerWriter {
    readonly buffer: Buffer;
    startSequence(tag?: number): void;
    endSequence(): void;
    writeInt(value: number, tag?: number): void;
    writeBuffer(buf: Buffer, tag: number): void;
    writeOID(oid: string, tag?: number): void;
    writeNull(): void;
  }
  const asn1: {
    Ber: {
      Reader: new (data: Buffer) => BerReader;
      Writer: new () => BerWriter;
    };
  };
  export default asn1;
}
