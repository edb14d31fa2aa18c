// ~/.doover/config profiles for tests, written the way doover-cli writes them.
import { PROFILE_KEY_ORDER } from "../../sdk/profile-file";

/** An unsigned JWT with these claims (enough for the unverified `exp` read). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.sig`;
}

/** A block exactly as pydoover's `AuthProfile.format` writes it (blocks are joined by a blank line). */
export function profileBlock(name: string, v: Partial<Record<(typeof PROFILE_KEY_ORDER)[number], string>>): string {
  return `[profile=${name}]\n${PROFILE_KEY_ORDER.map((k) => `${k}=${v[k] ?? ""}`).join("\n")}\n`;
}
