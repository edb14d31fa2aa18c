// Sent as `User-Agent: pulumi-doover/<VERSION>`; keep in step with package.json.
export const VERSION = "0.4.0";
