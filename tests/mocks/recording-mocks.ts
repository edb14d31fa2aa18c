// `pulumi.runtime.setMocks` that records what the program registers (type, name, inputs) and answers with
// `respond` (the id and state a provider would return).
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

/** Sets the mocks (call in a `before` hook); `last(type)` is the newest registration of that type. */
export function setRecordingMocks(
  respond: pulumi.runtime.Mocks["newResource"],
  preview: boolean,
): { registered: Registered[]; last(type: string): Registered } {
  const registered: Registered[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return respond(args);
      },
      call: () => ({}),
    },
    "proj",
    "test",
    preview,
  );
  return { registered, last: (type) => [...registered].reverse().find((r) => r.type === type)! };
}
