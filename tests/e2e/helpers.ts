// Small helpers shared by the engine tests: emulator write calls and steps.
import { type Emulator, emulatorFetch } from "../support/emulator";
import type { OpRecord } from "../support/pulumi";

/** Non-GET calls the emulator saw, as "METHOD /path/". */
export function writes(emulator: Emulator): string[] {
  return emulator
    .log()
    .filter((e) => e.method !== "GET")
    .map((e) => `${e.method} ${e.path}`);
}

/** Index of the first log entry matching `method` and `path` (a RegExp on the path). */
export function logIndex(emulator: Emulator, method: string, path: RegExp): number {
  return emulator.log().findIndex((e) => e.method === method && path.test(e.path));
}

/** The ops of one resource, in event order (e.g. ["delete-replaced", "replace", "create-replacement"]). */
export function opsOf(rec: OpRecord, name: string): string[] {
  return rec.steps.filter((s) => s.name === name).map((s) => s.op);
}

/** A token that cannot appear in state by accident. */
export function distinctiveToken(label: string): string {
  return `${label}-tok-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}

/** The application called `name` as the emulator holds it (first match), if any. */
export async function appByName(emulator: Emulator, name: string): Promise<Record<string, any> | undefined> {
  return (await emulatorFetch(emulator, "GET", `/applications/?name=${name}`)).body.results[0];
}
