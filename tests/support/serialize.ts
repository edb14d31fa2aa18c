// Serializes a dynamic provider exactly as `pulumi.dynamic.Resource` does and loads it back the way the
// Pulumi host does (require-from-string, resolving modules from the current directory).

import * as pulumi from "@pulumi/pulumi";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString: (code: string) => { handler(): unknown } = require("require-from-string");

export interface SerializedProvider {
  text: string;
  /** UTF-8 bytes of `text` (what `__provider` costs in state, per resource, twice) */
  size: number;
  containsSecrets: boolean;
}

export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<SerializedProvider> {
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return { text: sf.text, size: Buffer.byteLength(sf.text), containsSecrets: sf.containsSecrets };
}

/** What the host's `getProvider` does with `__provider`. */
export function loadProvider(text: string): Required<pulumi.dynamic.ResourceProvider> {
  return requireFromString(text).handler() as Required<pulumi.dynamic.ResourceProvider>;
}
