// Appends every API response as one JSON line, for the conformance test.

import * as fs from "node:fs";

export interface RecordedResponse {
  method: string;
  path: string;
  /** The OpenAPI path the request matched, or null when no route did. */
  template: string | null;
  status: number;
  body: unknown;
  /** Set for a non-JSON answer (its body is recorded as null). */
  contentType?: string;
}

export class Recorder {
  constructor(private readonly file: string | undefined) {}

  record(r: RecordedResponse): void {
    if (!this.file) return;
    fs.appendFileSync(this.file, JSON.stringify(r) + "\n");
  }
}
