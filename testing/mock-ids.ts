import { createHash } from "node:crypto";

/** An 18-digit decimal id (the shape of Doover's snowflake ids), the same for the same seed. */
export function snowflake(seed: string): string {
  const n = BigInt(`0x${createHash("sha256").update(seed).digest("hex").slice(0, 15)}`);
  return (100000000000000000n + (n % 800000000000000000n)).toString();
}
