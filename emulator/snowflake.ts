// Snowflake ids: 64-bit, time-ordered, handed out as decimal strings (always > 2^53).

const EPOCH_MS = 1704067200000n; // 2024-01-01T00:00:00Z
const WORKER = 1n;

export class SnowflakeGenerator {
  private last: bigint;

  constructor(last = "0") {
    this.last = BigInt(last);
  }

  /** Never hand out an id at or below one already in use (e.g. loaded from a state file). */
  observe(id: string): void {
    if (/^\d+$/.test(id) && BigInt(id) > this.last) this.last = BigInt(id);
  }

  next(): string {
    const t = BigInt(Date.now()) - EPOCH_MS;
    let id = (t << 22n) | (WORKER << 12n);
    if (id <= this.last) id = this.last + 1n;
    this.last = id;
    return id.toString();
  }

  get lastId(): string {
    return this.last.toString();
  }
}
