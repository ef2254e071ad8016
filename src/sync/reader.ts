/**
 * A strict byte reader for peer input. Unlike lib0's decoder it checks every length against the
 * bytes actually present (lib0 may read past a subarray into its parent buffer) and it reports
 * failure as a value, never by throwing into the caller's caller.
 */

export class ReadError extends Error {
  override readonly name = 'ReadError';
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

export class Reader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.bytes.length) throw new ReadError('unexpected end');
    return this.bytes[this.pos++] as number;
  }

  /** LEB128 unsigned, as lib0 writes it; at most 2^53 - 1 and never longer than needed. */
  varUint(max = 0xffff_ffff): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (i > 0 && byte === 0) throw new ReadError('overlong varuint');
        if (value > max) throw new ReadError(`varuint ${value} above ${max}`);
        return value;
      }
      scale *= 128;
    }
    throw new ReadError('varuint too long');
  }

  bytesOf(length: number): Uint8Array {
    if (length > this.remaining) throw new ReadError('length beyond end');
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A varuint length then that many bytes. */
  varBytes(maxLength: number): Uint8Array {
    return this.bytesOf(this.varUint(maxLength));
  }

  varString(maxBytes: number): string {
    const raw = this.varBytes(maxBytes);
    try {
      return fatalUtf8.decode(raw);
    } catch (error) {
      throw new ReadError(`invalid utf-8: ${String(error)}`);
    }
  }

  /** The rest of the input. */
  rest(): Uint8Array {
    return this.bytesOf(this.remaining);
  }

  end(): void {
    if (this.remaining !== 0) throw new ReadError(`${this.remaining} trailing bytes`);
  }
}
