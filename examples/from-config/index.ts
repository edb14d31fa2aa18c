// Doover applications loaded from a real doover_config.json: the README is the long description and
// the deployment/ folder is zipped into the app's deployment data (diffed by its sha256).
//
//   npm run pulumi -- -C examples/from-config stack init dev
//   npm run pulumi -- -C examples/from-config config set --secret doover:token <token>
//   npm run pulumi -- -C examples/from-config config set doover:organisationId <organisation id>
//   npm run pulumi -- -C examples/from-config up
import * as path from "node:path";
import { DooverApplication } from "pulumi-doover";

// The program runs compiled from dist/examples/from-config; the config file stays in the source tree.
const configFile = path.resolve(__dirname, "../../../examples/from-config/doover_config.json");

const levels = DooverApplication.fromConfig("tank-levels", configFile, "tank_level_processor");
const alerts = DooverApplication.fromConfig("tank-alerts", configFile, "tank_alert_integration");

export const levelsAppId = levels.applicationId;
export const levelsDeploymentHash = levels.deploymentHash;
export const alertsAppId = alerts.applicationId;
